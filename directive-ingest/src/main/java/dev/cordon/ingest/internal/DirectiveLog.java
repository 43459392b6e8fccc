package dev.cordon.ingest.internal;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.schemas.signing.DirectiveSignatureException;
import dev.cordon.schemas.signing.DirectiveSignatures;
import dev.cordon.schemas.signing.SigningKey;
import dev.cordon.schemas.signing.TrustedKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable side of ingest: the revision state read from directive-changes, ingest's own state topic
 * ({@link WorkflowState}: pending revisions, idempotency answers, audit counters), and the transactional writer
 * of directive changes, audit events and state records (DESIGN.md "Directive lifecycle", "Outputs", "Audit
 * trail"; issue 6).
 *
 * <h2>Why it is correct with several instances</h2>
 * Every ingest instance uses the <em>same</em> {@code transactional.id}. Each write, under a local lock:
 * (1) make sure the producer is initialised ({@code initTransactions}); (2) catch up by reading
 * directive-changes and the state topic {@code read_committed} up to their end offsets (the last stable
 * offset), and beyond our own last write; (3) let the caller plan its write against that state ({@link Planner});
 * (4) send every record of the plan and commit. Initialising a producer fences every other producer of the same
 * transactional id and completes (or aborts) its transaction before returning, so whatever another instance
 * committed before our initialisation is visible to our catch-up, and nothing another instance does can commit
 * after our initialisation unless it initialises again — which fences us, so our commit fails. A successful
 * commit therefore means nobody wrote between our catch-up and our commit. After a fence (or any Kafka error)
 * the producer is discarded, a new one initialised, the state caught up again and the write retried once; every
 * transaction writes the {@value WorkflowState#SEQUENCES_KEY} state record with a fresh {@code txId}, so if the
 * first commit did in fact succeed the retry's catch-up finds that txId and answers the first plan's result,
 * never writing twice. Still failing: 503 (retryable).
 *
 * <h2>Audit sequences (two origins)</h2>
 * Every ingest audit event carries component {@value #COMPONENT} and one of two source partitions, each with its
 * own gap-free sequence (the audit sink and verifier check gap-freedom per origin):
 * <ul>
 *   <li>{@value #SOURCE_PARTITION}: exactly one {@code DIRECTIVE_ACCEPTED} event per published
 *       {@code DirectiveChange}, in the same transaction;</li>
 *   <li>{@value #WORKFLOW_SOURCE_PARTITION}: everything else ingest audits — refusals (401, 403, 4xx of a
 *       write, with the principal, never the token) and revisions submitted for approval.</li>
 * </ul>
 * Both counters live in the {@value WorkflowState#SEQUENCES_KEY} record of the state topic, rewritten with the new
 * values in every transaction that uses them; aborted transactions are invisible to read_committed and so use up
 * no number. The state topic is compacted, so the latest value survives forever. (Before this record existed,
 * origin -1 was derived from the count of directive-changes records; that count still seeds it on a cluster
 * written by an older ingest. The counter is no longer derived from directive-changes, so a record written to
 * that topic by someone else — which ingest ignores, being unsigned — cannot shift ingest's sequence.)
 *
 * <h2>Signatures</h2>
 * Every published change is signed ({@code DirectiveSignatures}, key id in a header). The catch-up applies only
 * changes signed by a trusted key (ingest's own plus configured ones); any other record is ignored and logged at
 * ERROR, so a record injected into directive-changes can neither change ingest's revision state nor block it.
 *
 * <p>Thread-safety: every public method takes the lock; waits are bounded by the request timeout.
 */
public final class DirectiveLog implements AutoCloseable {
    /** Component name in audit events and their ids. */
    public static final String COMPONENT = "directive-ingest";
    /** Origin of the one audit event per published change. */
    public static final int SOURCE_PARTITION = -1;
    /** Origin of refusals and approval-workflow events (see the class comment). */
    public static final int WORKFLOW_SOURCE_PARTITION = -2;
    /** Name of ingest's state topic, after the topic prefix. */
    public static final String STATE_TOPIC = "directive-ingest-state";
    private static final Logger LOG = LoggerFactory.getLogger(DirectiveLog.class);

    private final Map<String, Object> kafkaConfig;
    private final TopicCatalogue topics;
    private final String transactionalId;
    private final Duration requestTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final DirectiveLedger ledger = new DirectiveLedger();
    private final WorkflowState workflow = new WorkflowState();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final String stateTopic;
    private final SigningKey signingKey;
    private final TrustedKeys trustedKeys;
    private final Map<TopicPartition, Long> ownLastOffsets = new HashMap<>();
    private final Serializer<String> keySerializer;
    private final Serializer<DirectiveChange> changeSerializer;
    private final Serializer<AuditEvent> auditSerializer;
    private KafkaProducer<byte[], byte[]> producer;
    private String pendingTxId;
    private boolean pendingSeen;
    private long ignoredRecords;
    private volatile boolean healthy;
    private volatile String unhealthyReason = "starting";
    private boolean closed;

    /** Reads the caught-up state and decides what to write; runs under the lock, possibly twice (retry). */
    @FunctionalInterface
    public interface Planner<T> {
        /**
         * @param ledger   the revision state (read only)
         * @param workflow pending revisions and idempotency answers (read only)
         * @return what to write and what to answer
         * @throws RefusedException to refuse without writing anything
         */
        Plan<T> plan(DirectiveLedger ledger, WorkflowState workflow) throws RefusedException;
    }

    /**
     * What one transaction writes: changes (each signed, each with its {@code DIRECTIVE_ACCEPTED} audit event of
     * origin -1), workflow audit events (origin -2) and state records; and the result to return once committed.
     * An empty plan writes nothing.
     */
    public static final class Plan<T> {
        private final List<DirectiveChange> changes = new ArrayList<>();
        private final List<Map<String, String>> changeDetails = new ArrayList<>();
        private final List<AuditEvent> audits = new ArrayList<>();
        private final Map<String, String> state = new LinkedHashMap<>();
        private final T result;

        public Plan(T result) {
            this.result = result;
        }

        /** Publishes {@code change}; {@code details} are added to its audit event's details. */
        public Plan<T> publish(DirectiveChange change, Map<String, String> details) {
            changes.add(change);
            changeDetails.add(details == null ? Map.of() : details);
            return this;
        }

        /**
         * Audits a workflow event (origin -2); id, component, partition and sequence are filled in.
         *
         * @param event an event whose {@code eventId}, {@code component}, {@code sourcePartition} and
         *              {@code sequence} are placeholders
         */
        public Plan<T> audit(AuditEvent event) {
            audits.add(event);
            return this;
        }

        /** Writes a state record (JSON value; {@code null} deletes). */
        public Plan<T> state(String key, String json) {
            state.put(key, json);
            return this;
        }

        boolean isEmpty() {
            return changes.isEmpty() && audits.isEmpty() && state.isEmpty();
        }

        public T result() {
            return result;
        }
    }

    /**
     * Connects, initialises the transactional producer and catches up with directive-changes from the
     * beginning.
     *
     * @param kafkaConfig     common client settings (bootstrap.servers, security...)
     * @param topics          the typed topics (serdes configured)
     * @param transactionalId shared by every ingest instance of a deployment
     * @param requestTimeout  bound of each request's Kafka work (ms precision)
     * @param startupTimeout  bound of the initial catch-up
     * @param stateTopic      full name of ingest's state topic (created, compacted, if missing)
     * @param signingKey      signs every published change
     * @param trustedKeys     keys whose changes the catch-up applies (the signing key is added)
     * @throws IllegalStateException if directive-changes or audit-log does not exist
     * @throws KafkaException        if Kafka cannot be reached or the catch-up times out
     */
    public static DirectiveLog open(Map<String, Object> kafkaConfig, TopicCatalogue topics, String transactionalId,
                                    Duration requestTimeout, Duration startupTimeout, String stateTopic,
                                    SigningKey signingKey, TrustedKeys trustedKeys) {
        StateTopic.ensure(kafkaConfig, stateTopic, startupTimeout);
        DirectiveLog log = new DirectiveLog(kafkaConfig, topics, transactionalId, requestTimeout, startupTimeout,
                stateTopic, signingKey, trustedKeys.with(signingKey));
        try {
            log.lock.lock();
            try {
                long deadline = System.nanoTime() + startupTimeout.toNanos();
                log.ensureProducer();
                log.catchUp(deadline);
                log.markHealthy();
            } finally {
                log.lock.unlock();
            }
            LOG.info("Caught up with {} and {}: {} records, {} directives, signing key {}, trusted keys {}",
                    topics.directiveChanges().name(), stateTopic, log.ledger.records(), log.ledger.all().size(),
                    signingKey.keyId(), log.trustedKeys);
            return log;
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    private DirectiveLog(Map<String, Object> kafkaConfig, TopicCatalogue topics, String transactionalId,
                         Duration requestTimeout, Duration startupTimeout, String stateTopic, SigningKey signingKey,
                         TrustedKeys trustedKeys) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.stateTopic = stateTopic;
        this.signingKey = signingKey;
        this.trustedKeys = trustedKeys;
        this.topics = topics;
        this.transactionalId = transactionalId;
        this.requestTimeout = requestTimeout;
        this.keySerializer = topics.directiveChanges().keySerde().serializer();
        this.changeSerializer = topics.directiveChanges().valueSerde().serializer();
        this.auditSerializer = topics.auditLog().valueSerde().serializer();
        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, transactionalId + "-catch-up-" + UUID.randomUUID());
        consumerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        consumerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        this.consumer = new KafkaConsumer<>(consumerConfig);
        List<PartitionInfo> infos = new ArrayList<>();
        try {
            infos.addAll(partitionsOf(consumer, topics.directiveChanges().name(), startupTimeout));
            partitionsOf(consumer, topics.auditLog().name(), startupTimeout);
            infos.addAll(partitionsOf(consumer, stateTopic, startupTimeout));
        } catch (RuntimeException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
        this.partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private static List<PartitionInfo> partitionsOf(KafkaConsumer<?, ?> consumer, String topic, Duration timeout) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("Topic '" + topic + "' does not exist; create Cordon's topics first "
                    + "(TopicAdmin.createTopics with TopicNames.specs): ingest never relies on auto-create");
        }
        return infos;
    }

    /**
     * Catches up, lets {@code planner} decide against the caught-up state, and writes its plan in one transaction
     * (see the class comment for why this is safe with several instances).
     *
     * @param planner decides what to write and answer
     * @return the plan's result, once committed (at once for an empty plan)
     * @throws RefusedException what the planner threw; 503 when Kafka cannot complete the write within the request
     *                          timeout or the producer stays fenced after one retry. A commit whose outcome Kafka did
     *                          not confirm is recognised by the retry's catch-up (its txId) and answered with the
     *                          first attempt's result.
     */
    public <T> T write(Planner<T> planner) throws RefusedException {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        acquire(deadline);
        Plan<T> previous = null;
        try {
            for (int attempt = 1; ; attempt++) {
                String txId = UUID.randomUUID().toString();
                try {
                    ensureProducer();
                    catchUp(deadline);
                    if (previous != null && pendingSeen) {
                        LOG.info("Transaction {} turned out committed before the retry", pendingTxId);
                        return previous.result();
                    }
                    Plan<T> plan = planner.plan(ledger, workflow);
                    if (plan.isEmpty()) {
                        return plan.result();
                    }
                    previous = plan;
                    pendingTxId = txId;
                    pendingSeen = false;
                    send(plan, txId);
                    markHealthy();
                    return plan.result();
                } catch (KafkaException | IllegalStateException | ExecutionException
                         | java.util.concurrent.TimeoutException e) {
                    discardProducer();
                    if (attempt >= 2 || System.nanoTime() >= deadline) {
                        if (!isFencing(e)) {
                            markUnhealthy(e);
                        }
                        throw unavailable(e);
                    }
                    LOG.info("Write failed ({}); re-initialising the producer and retrying once", e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    discardProducer();
                    throw unavailable(e);
                }
            }
        } finally {
            pendingTxId = null;
            pendingSeen = false;
            lock.unlock();
        }
    }

    private void send(Plan<?> plan, String txId) throws ExecutionException, InterruptedException,
            java.util.concurrent.TimeoutException {
        long changesSeq = workflow.changesSequence(ledger.records());
        long workflowSeq = workflow.workflowSequence();
        String changesTopic = topics.directiveChanges().name();
        String auditTopic = topics.auditLog().name();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < plan.changes.size(); i++) {
            DirectiveChange change = plan.changes.get(i);
            AuditEvent audit = auditEvent(change, ++changesSeq, plan.changeDetails.get(i));
            Headers headers = DirectiveSignatures.sign(change, signingKey, new RecordHeaders());
            records.add(new ProducerRecord<>(changesTopic, null,
                    keySerializer.serialize(changesTopic, change.getDirectiveId()),
                    changeSerializer.serialize(changesTopic, change), headers));
            records.add(new ProducerRecord<>(auditTopic, keySerializer.serialize(auditTopic, change.getDirectiveId()),
                    auditSerializer.serialize(auditTopic, audit)));
        }
        for (AuditEvent template : plan.audits) {
            long sequence = ++workflowSeq;
            AuditEvent audit = AuditEvent.newBuilder(template)
                    .setEventId(COMPONENT + "/" + WORKFLOW_SOURCE_PARTITION + "/" + sequence)
                    .setComponent(COMPONENT)
                    .setSourcePartition(WORKFLOW_SOURCE_PARTITION)
                    .setSequence(sequence)
                    .build();
            String key = audit.getDirectiveId() != null ? audit.getDirectiveId() : COMPONENT;
            records.add(new ProducerRecord<>(auditTopic, keySerializer.serialize(auditTopic, key),
                    auditSerializer.serialize(auditTopic, audit)));
        }
        Map<String, String> state = new LinkedHashMap<>(plan.state);
        state.put(WorkflowState.SEQUENCES_KEY, WorkflowState.MAPPER.createObjectNode().put("txId", txId)
                .put("changes", changesSeq).put("workflow", workflowSeq).toString());
        for (Map.Entry<String, String> e : state.entrySet()) {
            records.add(new ProducerRecord<>(stateTopic, e.getKey().getBytes(StandardCharsets.UTF_8),
                    e.getValue() == null ? null : e.getValue().getBytes(StandardCharsets.UTF_8)));
        }
        producer.beginTransaction();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : records) {
            Future<RecordMetadata> f = producer.send(r);
            if (!r.topic().equals(auditTopic)) {
                sent.add(f);
            }
        }
        producer.commitTransaction();
        for (Future<RecordMetadata> f : sent) {
            RecordMetadata metadata = f.get(0, TimeUnit.MILLISECONDS);
            ownLastOffsets.merge(new TopicPartition(metadata.topic(), metadata.partition()), metadata.offset(), Math::max);
        }
    }

    /**
     * Reads the caught-up state.
     *
     * @throws RefusedException 503 when the catch-up does not finish within the request timeout
     */
    public <T> T read(java.util.function.BiFunction<DirectiveLedger, WorkflowState, T> read) throws RefusedException {
        return caughtUp(() -> read.apply(ledger, workflow));
    }

    /** @return the key that signs published changes */
    public SigningKey signingKey() {
        return signingKey;
    }

    /** @return committed records of directive-changes ignored for a missing or bad signature */
    public long ignoredRecords() {
        return ignoredRecords;
    }

    /**
     * @return the current revision of {@code directiveId} after catching up, if it was ever issued
     * @throws RefusedException 503 when the catch-up does not finish within the request timeout
     */
    public Optional<DirectiveChange> current(String directiveId) throws RefusedException {
        return caughtUp(() -> ledger.current(directiveId));
    }

    /** @return the current revision of every directive, by id, after catching up */
    public List<DirectiveChange> all() throws RefusedException {
        return caughtUp(ledger::all);
    }

    /** @return whether the producer initialised and the last catch-up or write succeeded */
    public boolean healthy() {
        return healthy && !closed;
    }

    /** @return why {@link #healthy()} is false, or "ok" */
    public String healthDetail() {
        return healthy() ? "ok" : closed ? "closed" : unhealthyReason;
    }

    private <T> T caughtUp(java.util.function.Supplier<T> read) throws RefusedException {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        acquire(deadline);
        try {
            catchUp(deadline);
            return read.get();
        } catch (KafkaException e) {
            markUnhealthy(e);
            throw unavailable(e);
        } finally {
            lock.unlock();
        }
    }

    private void acquire(long deadline) throws RefusedException {
        try {
            if (!lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new RefusedException(new ApiError(ApiError.UNAVAILABLE, null,
                        "ingest is busy: the request waited " + requestTimeout.toMillis()
                                + " ms for earlier requests; retry"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        }
        if (closed) {
            lock.unlock();
            throw new RefusedException(new ApiError(ApiError.UNAVAILABLE, null, "ingest is shutting down; retry"));
        }
    }

    private void ensureProducer() {
        if (producer != null) {
            return;
        }
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, requestTimeout.toMillis());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId + "-" + UUID.randomUUID());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        KafkaProducer<byte[], byte[]> created = new KafkaProducer<>(config);
        try {
            created.initTransactions();
        } catch (RuntimeException e) {
            created.close(Duration.ZERO);
            throw e;
        }
        producer = created;
    }

    private void discardProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debug("Closing a failed producer", e);
            }
            producer = null;
        }
    }

    /**
     * Reads directive-changes read_committed up to its last stable offset on every partition, and at least past
     * our own last write (whose commit markers are written asynchronously after {@code commitTransaction}).
     */
    private void catchUp(long deadline) {
        Map<TopicPartition, Long> target = new HashMap<>(consumer.endOffsets(partitions, remaining(deadline)));
        // our own last write may not be readable yet: its commit markers are written after commitTransaction
        // returns, so the last stable offset can still be below it
        ownLastOffsets.forEach((tp, offset) -> target.merge(tp, offset + 1, Math::max));
        while (!reached(target)) {
            if (System.nanoTime() >= deadline) {
                throw new TimeoutException("Catch-up with " + topics.directiveChanges().name()
                        + " did not reach the offsets " + target + " in time");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(
                    Math.min(100, Math.max(1, remaining(deadline).toMillis()))))) {
                apply(record);
            }
        }
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        if (record.topic().equals(stateTopic)) {
            applyState(record);
            return;
        }
        ledger.countRecord();
        DirectiveChange change;
        try {
            change = topics.directiveChanges().valueSerde().deserializer()
                    .deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            String key = null;
            try {
                key = record.key() == null ? null
                        : topics.directiveChanges().keySerde().deserializer().deserialize(record.topic(), record.key());
            } catch (RuntimeException unreadableKey) {
                // stays null: blocks every directive
            }
            String where = record.topic() + "-" + record.partition() + "@" + record.offset();
            ledger.markUnreadable(key, where);
            markUnhealthy(e);
            LOG.error("Unreadable record {} (key {}): counted for the audit sequence; writes to {} are refused "
                    + "until it can be read", where, key, key == null ? "every directive" : key, e);
            return;
        }
        if (change == null) {
            return;
        }
        try {
            DirectiveSignatures.verify(change, record.headers(), trustedKeys);
        } catch (DirectiveSignatureException e) {
            ignoredRecords++;
            LOG.error("Ignoring {}-{}@{}: {} ({}). Only directive-ingest may write {}; find who else writes it.",
                    record.topic(), record.partition(), record.offset(), e.getMessage(), e.reason(), record.topic());
            return;
        }
        ledger.apply(change);
    }

    private void applyState(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        String value = record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
        try {
            String txId = workflow.apply(key, value);
            if (txId != null && txId.equals(pendingTxId)) {
                pendingSeen = true;
            }
        } catch (IllegalArgumentException e) {
            ledger.markUnreadable(null, record.topic() + "-" + record.partition() + "@" + record.offset());
            markUnhealthy(e);
            LOG.error("Unreadable state record {}-{}@{}: writes are refused until it is fixed", record.topic(),
                    record.partition(), record.offset(), e);
        }
    }

    private AuditEvent auditEvent(DirectiveChange change, long sequence, Map<String, String> extra) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("changeId", change.getChangeId());
        details.put("revision", Integer.toString(change.getRevision()));
        details.put("action", change.getAction().name());
        details.put("mode", change.getMode().name());
        details.put("enforcement", change.getEnforcement().name());
        details.put("issuer", change.getIssuer());
        if (change.getLegalBasis() != null) {
            details.put("legalBasis", change.getLegalBasis());
        }
        details.put("reason", change.getReason());
        details.put("effectiveFrom", change.getEffectiveFrom().toString());
        if (change.getEffectiveUntil() != null) {
            details.put("effectiveUntil", change.getEffectiveUntil().toString());
        }
        details.put("principal", change.getPrincipal() != null ? change.getPrincipal() : "(authentication disabled)");
        details.put("document", DirectiveJson.document(change).toString());
        details.put("signatureKeyId", signingKey.keyId());
        details.putAll(extra);
        return AuditEvent.newBuilder()
                .setEventId(COMPONENT + "/" + SOURCE_PARTITION + "/" + sequence)
                .setType(AuditEventType.DIRECTIVE_ACCEPTED)
                .setComponent(COMPONENT)
                .setSourcePartition(SOURCE_PARTITION)
                .setSequence(sequence)
                .setOccurredAt(change.getAcceptedAt())
                .setDirectiveId(change.getDirectiveId())
                .setDirectiveRevision(change.getRevision())
                .setSessionId(null)
                .setCommandId(null)
                .setDetails(details)
                .build();
    }

    /** Fencing by another instance is the normal way writes are serialised, not a health problem. */
    private static boolean isFencing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    private void markHealthy() {
        if (ledger.hasUnreadable()) {
            return; // stays DOWN: some directive's revision state is unknown
        }
        healthy = true;
        unhealthyReason = "ok";
    }

    private void markUnhealthy(Exception e) {
        healthy = false;
        unhealthyReason = e.toString();
    }

    private RefusedException unavailable(Exception e) {
        LOG.warn("Kafka did not complete the request: {}", e.toString());
        return new RefusedException(new ApiError(ApiError.UNAVAILABLE, null,
                "Kafka did not complete the request within its timeout (" + e.getClass().getSimpleName()
                        + "); retry with the same Idempotency-Key to get the first answer if it was in fact accepted"));
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    /** Closes the clients, waiting at most the request timeout for a request in progress. */
    @Override
    public void close() {
        boolean locked = false;
        try {
            locked = lock.tryLock(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            closed = true;
            discardProducer();
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }
}
