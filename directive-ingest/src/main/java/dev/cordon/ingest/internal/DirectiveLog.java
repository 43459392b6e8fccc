package dev.cordon.ingest.internal;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.schemas.TopicCatalogue;
import java.time.Duration;
import java.time.Instant;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable side of ingest: the revision state read from directive-changes and the transactional writer
 * of {@code DirectiveChange} + {@code AuditEvent} pairs (DESIGN.md "Directive lifecycle", "Outputs", "Audit
 * trail").
 *
 * <h2>Why it is correct with several instances</h2>
 * Every ingest instance uses the <em>same</em> {@code transactional.id}. Each write, under a local lock:
 * (1) make sure the producer is initialised ({@code initTransactions}); (2) catch up by reading
 * directive-changes {@code read_committed} up to its end offset (the last stable offset), and beyond our own
 * last write; (3) check the revision against that state; (4) send both records and commit. Initialising a
 * producer fences every other producer of the same transactional id and completes (or aborts) its
 * transaction before returning, so: whatever another instance committed before our initialisation is visible
 * to our catch-up, and nothing another instance does can commit after our initialisation unless it
 * initialises again — which fences us, so our commit fails. A successful commit therefore means nobody wrote
 * between our catch-up and our commit. After a fence (or any Kafka error) the producer is discarded, a new
 * one initialised, the state caught up again and the write retried once; if our first commit did in fact
 * succeed, the catch-up finds its {@code changeId} and the write is reported accepted, never duplicated.
 * Still failing: 503 (retryable).
 *
 * <h2>Audit sequence</h2>
 * Ingest's audit events use {@code sourcePartition = -1} and a sequence that must be gap-free and durable.
 * Every committed directive-changes record is written together with exactly one ingest audit event, in one
 * transaction, and only ingest writes directive-changes (kept forever: retention -1, DESIGN.md "Topics"). So
 * the n-th committed directive-changes record (counted over all partitions, read_committed) corresponds to
 * audit sequence n, and the next sequence is the count read during catch-up + 1. Aborted transactions are
 * invisible to read_committed and so use up no number. An unreadable record is still counted, and writes
 * to its directive (its key) are refused with 503 from then on: its revision is unknown, and guessing could
 * accept a stale revision.
 *
 * <p>Thread-safety: every public method takes the lock; waits are bounded by the request timeout.
 */
public final class DirectiveLog implements AutoCloseable {
    /** Component name in audit events and their ids. */
    public static final String COMPONENT = "directive-ingest";
    /** Ingest decides outside any partition. */
    public static final int SOURCE_PARTITION = -1;
    private static final Logger LOG = LoggerFactory.getLogger(DirectiveLog.class);

    private final Map<String, Object> kafkaConfig;
    private final TopicCatalogue topics;
    private final String transactionalId;
    private final Duration requestTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final DirectiveLedger ledger = new DirectiveLedger();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private final Map<TopicPartition, Long> ownLastOffsets = new HashMap<>();
    private final Serializer<String> keySerializer;
    private final Serializer<DirectiveChange> changeSerializer;
    private final Serializer<AuditEvent> auditSerializer;
    private KafkaProducer<byte[], byte[]> producer;
    private String pendingChangeId;
    private Accepted pendingSeen;
    private volatile boolean healthy;
    private volatile String unhealthyReason = "starting";
    private boolean closed;

    /**
     * A published change and its audit sequence.
     *
     * @param change        the record on directive-changes
     * @param auditSequence sequence of its {@code DIRECTIVE_ACCEPTED} audit event
     */
    public record Accepted(DirectiveChange change, long auditSequence) {
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
     * @throws IllegalStateException if directive-changes or audit-log does not exist
     * @throws KafkaException        if Kafka cannot be reached or the catch-up times out
     */
    public static DirectiveLog open(Map<String, Object> kafkaConfig, TopicCatalogue topics, String transactionalId,
                                    Duration requestTimeout, Duration startupTimeout) {
        DirectiveLog log = new DirectiveLog(kafkaConfig, topics, transactionalId, requestTimeout, startupTimeout);
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
            LOG.info("Caught up with {}: {} records, {} directives", topics.directiveChanges().name(),
                    log.ledger.records(), log.ledger.all().size());
            return log;
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    private DirectiveLog(Map<String, Object> kafkaConfig, TopicCatalogue topics, String transactionalId,
                         Duration requestTimeout, Duration startupTimeout) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
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
        List<PartitionInfo> infos;
        try {
            infos = partitionsOf(consumer, topics.directiveChanges().name(), startupTimeout);
            partitionsOf(consumer, topics.auditLog().name(), startupTimeout);
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
     * Checks the revision rules against the caught-up state and publishes the change and its audit event in
     * one transaction.
     *
     * @param directive  a validated document
     * @param principal  authenticated principal, {@code null} when authentication is disabled
     * @param acceptedAt acceptance instant (ms precision is kept)
     * @return the published change
     * @throws RefusedException 404/409 per {@link DirectiveLedger#check}; 503 when Kafka cannot complete the
     *                          write within the request timeout or the producer stays fenced after one retry.
     *                          A commit whose outcome Kafka did not confirm is recognised by the retry's catch-up
     *                          (its changeId) and answered as accepted; only if the retry fails too is the outcome
     *                          unknown to the caller — repeating the request then answers 409 if it was published.
     */
    public Accepted submit(ValidatedDirective directive, String principal, Instant acceptedAt) throws RefusedException {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        acquire(deadline);
        String changeId = UUID.randomUUID().toString();
        pendingChangeId = changeId;
        pendingSeen = null;
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    ensureProducer();
                    catchUp(deadline);
                    if (pendingSeen != null) {
                        LOG.info("Change {} turned out committed before the retry", changeId);
                        return pendingSeen;
                    }
                    ledger.check(directive);
                    long sequence = ledger.records() + 1;
                    DirectiveChange change = directive.toChange(changeId, acceptedAt, principal);
                    AuditEvent audit = auditEvent(change, sequence);
                    byte[] key = keySerializer.serialize(topics.directiveChanges().name(), change.getDirectiveId());
                    byte[] changeBytes = changeSerializer.serialize(topics.directiveChanges().name(), change);
                    byte[] auditKey = keySerializer.serialize(topics.auditLog().name(), change.getDirectiveId());
                    byte[] auditBytes = auditSerializer.serialize(topics.auditLog().name(), audit);
                    producer.beginTransaction();
                    Future<RecordMetadata> sent = producer.send(
                            new ProducerRecord<>(topics.directiveChanges().name(), key, changeBytes));
                    producer.send(new ProducerRecord<>(topics.auditLog().name(), auditKey, auditBytes));
                    producer.commitTransaction();
                    RecordMetadata metadata = sent.get(0, TimeUnit.MILLISECONDS);
                    ownLastOffsets.merge(new TopicPartition(metadata.topic(), metadata.partition()),
                            metadata.offset(), Math::max);
                    markHealthy();
                    return new Accepted(change, sequence);
                } catch (KafkaException | IllegalStateException | ExecutionException
                         | java.util.concurrent.TimeoutException e) {
                    discardProducer();
                    if (attempt >= 2 || System.nanoTime() >= deadline) {
                        if (!isFencing(e)) {
                            markUnhealthy(e);
                        }
                        throw unavailable(e);
                    }
                    LOG.info("Write of {} failed ({}); re-initialising the producer and retrying once",
                            directive.directiveId(), e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    discardProducer();
                    throw unavailable(e);
                }
            }
        } finally {
            pendingChangeId = null;
            pendingSeen = null;
            lock.unlock();
        }
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
        ledger.apply(change);
        if (change.getChangeId().equals(pendingChangeId)) {
            pendingSeen = new Accepted(change, ledger.records());
        }
    }

    private AuditEvent auditEvent(DirectiveChange change, long sequence) {
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
                        + "); retry: a revision that was in fact accepted is then answered 409"));
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
