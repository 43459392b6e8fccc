package dev.cordon.cli.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cordon.audit.AuditSink;
import dev.cordon.audit.AuditSinkConfig;
import dev.cordon.audit.AuditVerifier;
import dev.cordon.audit.VerifyReport;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.SessionEvent;
import dev.cordon.embedded.EmbeddedStack;
import dev.cordon.enforcement.EnforcementApp;
import dev.cordon.enforcement.EnforcementConfig;
import dev.cordon.enforcement.EnforcementSettings;
import dev.cordon.enforcement.EnforcementTopology;
import dev.cordon.ingest.IngestConfig;
import dev.cordon.ingest.IngestService;
import dev.cordon.ingest.Role;
import dev.cordon.ingest.Tokens;
import dev.cordon.schemas.signing.SigningKey;
import java.util.EnumSet;
import dev.cordon.schemas.Topic;
import dev.cordon.schemas.TopicCatalogue;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.TopologyDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one JVM on the embedded stack: broker, schema registry, PostgreSQL,
 * directive-ingest (with a freshly generated bearer token), enforcement-stream and audit-sink.
 * Used by {@code cordon demo} and {@code cordon scenario}, and by the tests through them.
 *
 * <p>Idleness is judged from offsets, never by sleeping (DESIGN.md "Scenario files"): every
 * partition of every topic the enforcement application reads has its committed offset at the end
 * offset, the audit sink has committed the end of audit-log, and the enforcement tasks report no
 * sweep in progress and no due activation or expiry unprocessed.
 */
public final class LocalPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPipeline.class);

    /** Principal of the issuer token the pipeline creates. */
    public static final String ISSUER_PRINCIPAL = "operator";
    /** Principal of the approver token the pipeline creates. */
    public static final String APPROVER_PRINCIPAL = "approver";

    /** Consumer group of the audit sink (its default). */
    public static final String AUDIT_SINK_GROUP = "cordon-audit-sink";

    private final EmbeddedStack stack;
    private final TopicCatalogue topics;
    private final IngestService ingest;
    private final EnforcementApp enforcement;
    private final AuditSink auditSink;
    private final IngestClient ingestClient;
    private final IngestClient approverClient;
    private final KafkaProducer<String, SessionEvent> sessionProducer;
    private final Admin admin;
    private final Set<String> enforcementInputs;
    private final String enforcementGroup;
    private final KafkaConsumer<byte[], byte[]> probe;

    /**
     * How to start it.
     *
     * @param dataDir           where state goes; {@code null} for a temporary directory removed on close
     * @param sessionPartitions partitions of the session-keyed topics
     * @param settings          enforcement tuning
     */
    public record Options(Path dataDir, int sessionPartitions, EnforcementSettings settings) {
    }

    private LocalPipeline(EmbeddedStack stack, TopicCatalogue topics, IngestService ingest, EnforcementApp enforcement,
                          AuditSink auditSink, IngestClient ingestClient, IngestClient approverClient,
                          KafkaProducer<String, SessionEvent> sessionProducer,
                          Admin admin, Set<String> enforcementInputs, String enforcementGroup) {
        this.approverClient = approverClient;
        this.stack = stack;
        this.topics = topics;
        this.ingest = ingest;
        this.enforcement = enforcement;
        this.auditSink = auditSink;
        this.ingestClient = ingestClient;
        this.sessionProducer = sessionProducer;
        this.admin = admin;
        this.enforcementInputs = enforcementInputs;
        this.enforcementGroup = enforcementGroup;
        Map<String, Object> props = new HashMap<>(stack.clientConfig());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.probe = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Starts the stack and the three services, and waits until every stream task is assigned and
     * ingest answers.
     *
     * @param options what to start
     * @param mapper  JSON mapper for the ingest client
     * @param timeout how long start-up may take
     * @return the running pipeline
     * @throws Exception when any part fails to start in time (everything started is closed again)
     */
    public static LocalPipeline start(Options options, ObjectMapper mapper, Duration timeout) throws Exception {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            EmbeddedStack stack = EmbeddedStack.start(EmbeddedStack.Options.builder()
                    .dataDir(options.dataDir())
                    .sessionPartitions(options.sessionPartitions())
                    .build());
            started.add(stack);
            Path dataDir = stack.dataDir();
            Map<String, Object> clients = new HashMap<>(stack.clientConfig());
            TopicCatalogue topics = TopicCatalogue.create(stack.topicPrefix(), Map.of("schema.registry.url", stack.schemaRegistryUrl()));

            Map<String, Object> auditProps = new HashMap<>(clients);
            auditProps.put("topic.prefix", stack.topicPrefix());
            auditProps.put("jdbc.url", stack.jdbcUrl());
            auditProps.put("jdbc.owner.user", stack.jdbcUser());
            auditProps.put("jdbc.owner.password", stack.jdbcPassword());
            auditProps.put("jdbc.user", "cordon_audit_writer");
            auditProps.put("jdbc.password", randomSecret());
            auditProps.put("audit.signing.key.dir", dataDir.resolve("audit-keys").toString()); // not the user's home
            AuditSink auditSink = AuditSink.start(new AuditSinkConfig(auditProps));
            started.add(auditSink);

            // Ingest signs every directive change with this key; enforcement-stream trusts only its public half
            // (issue 6 point 4), so a record written straight into directive-changes has no effect.
            SigningKey signingKey = signingKey(dataDir);
            Map<String, Object> streamProps = new HashMap<>(clients);
            streamProps.put("directive.trusted.keys", signingKey.trustedEntry());
            streamProps.put("topic.prefix", stack.topicPrefix());
            streamProps.put("session.partitions", options.sessionPartitions());
            streamProps.put("state.dir", dataDir.resolve("streams").toString());
            EnforcementSettings st = options.settings();
            streamProps.put("sweep.batch.size", st.sweepBatchSize());
            streamProps.put("sweep.interval.ms", st.sweepIntervalMs());
            streamProps.put("schedule.check.interval.ms", st.scheduleCheckIntervalMs());
            streamProps.put("session.ttl.ms", st.sessionTtlMs());
            streamProps.put("impact.sample.size", st.impactSampleSize());
            streamProps.put("eviction.interval.ms", st.evictionIntervalMs());
            streamProps.put("eviction.batch.size", st.evictionBatchSize());
            streamProps.put("eviction.catch.up.ms", st.evictionCatchUpMs());
            EnforcementApp enforcement = EnforcementApp.start(new EnforcementConfig(streamProps));
            started.add(enforcement);

            // Two operators, as four-eyes needs (issue 6): an issuer and a different approver.
            String token = randomSecret();
            String approverToken = randomSecret();
            Map<String, Object> ingestProps = new HashMap<>(clients);
            ingestProps.put("topic.prefix", stack.topicPrefix());
            ingestProps.put("ingest.port", 0);
            ingestProps.put("ingest.auth.tokens", String.join(",",
                    Tokens.entry(ISSUER_PRINCIPAL, EnumSet.of(Role.ISSUER, Role.VIEWER), token),
                    Tokens.entry(APPROVER_PRINCIPAL, EnumSet.of(Role.APPROVER, Role.VIEWER), approverToken)));
            ingestProps.put("ingest.signing.private.key", signingKey.privateKeyBase64());
            IngestService ingest = IngestService.start(new IngestConfig(ingestProps));
            started.add(ingest);
            IngestClient client = new IngestClient(ingest.baseUri(), token, mapper);
            IngestClient approver = new IngestClient(ingest.baseUri(), approverToken, mapper);

            Map<String, Object> producerProps = new HashMap<>(clients);
            producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
            producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            KafkaProducer<String, SessionEvent> producer = new KafkaProducer<>(producerProps,
                    topics.sessionEvents().keySerde().serializer(), topics.sessionEvents().valueSerde().serializer());
            started.add(producer);
            Admin admin = Admin.create(clients);
            started.add(admin);

            EnforcementConfig cfg = new EnforcementConfig(streamProps);
            String appId = cfg.getString("application.id");
            Set<String> external = Set.of(topics.directiveChanges().name(), topics.sessionEvents().name(),
                    topics.revocationCommands().name(), topics.directiveImpacts().name(), topics.auditLog().name(),
                    topics.deadLetters().name());
            Set<String> inputs = new HashSet<>();
            for (String t : sourceTopics(EnforcementTopology.build(topics, cfg.settings()).describe())) {
                inputs.add(external.contains(t) ? t : appId + "-" + t); // internal topics carry the application id
            }
            LocalPipeline pipeline = new LocalPipeline(stack, topics, ingest, enforcement, auditSink, client, approver,
                    producer, admin, inputs, cfg.getString("application.id"));
            await("every stream task assigned and ingest answering", timeout,
                    () -> enforcement.isRunning() && client.healthy() && auditSink.isHealthy());
            return pipeline;
        } catch (Exception | Error e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                closeQuietly(started.get(i));
            }
            throw e;
        }
    }

    /** @return the topics of this pipeline */
    public TopicCatalogue topics() {
        return topics;
    }

    /** @return the embedded stack underneath */
    public EmbeddedStack stack() {
        return stack;
    }

    /** @return an ingest API client carrying the issuer's token ({@value #ISSUER_PRINCIPAL}: issuer, viewer) */
    public IngestClient ingest() {
        return ingestClient;
    }

    /** @return an ingest API client carrying the approver's token ({@value #APPROVER_PRINCIPAL}: approver, viewer) */
    public IngestClient approver() {
        return approverClient;
    }

    /** @return ingest's base URI, e.g. {@code http://127.0.0.1:41234/} */
    public java.net.URI ingestUri() {
        return ingest.baseUri();
    }

    /**
     * @return the key ingest signs directive changes with; enforcement-stream trusts
     *         {@code signingKey().trustedEntry()} and nothing else
     */
    public SigningKey signingKey() {
        return ingest.signingKey();
    }

    /**
     * Ingest's signing key: kept in {@code <dataDir>/ingest-signing.key} (owner-only) so that a pipeline restarted on
     * the same data directory still trusts what it signed before.
     */
    private static SigningKey signingKey(Path dataDir) throws java.io.IOException {
        Path file = dataDir.resolve("ingest-signing.key");
        if (java.nio.file.Files.exists(file)) {
            return SigningKey.fromPrivateKey(null, java.nio.file.Files.readString(file));
        }
        SigningKey key = SigningKey.generate();
        java.nio.file.Files.writeString(file, key.privateKeyBase64());
        try {
            java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            LOG.debug("no POSIX permissions on {}", file);
        }
        return key;
    }

    /**
     * Produces one session event (key sessionId) and waits for the broker's acknowledgement.
     *
     * @param event the event
     * @throws Exception when the broker does not acknowledge it
     */
    public void sendSession(SessionEvent event) throws Exception {
        sessionProducer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topics.sessionEvents().name(),
                event.getSessionId(), event)).get();
    }

    /** @return the shared session-events producer (callers must not close it) */
    public KafkaProducer<String, SessionEvent> sessionProducer() {
        return sessionProducer;
    }

    /**
     * Waits until the pipeline is idle (see the class comment), checked twice in a row 50 ms apart.
     *
     * @param timeout how long to wait
     * @throws TimeoutException when it does not become idle in time
     */
    public void awaitIdle(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int consecutive = 0;
        while (consecutive < 2) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("pipeline not idle after " + timeout.toMillis() + " ms: " + idleReport());
            }
            consecutive = isIdle() ? consecutive + 1 : 0;
            Thread.sleep(50); // polling interval of a condition, not a wait for an outcome
        }
    }

    /** @return true when the enforcement tasks, their input offsets and the audit sink are all caught up */
    public boolean isIdle() throws ExecutionException, InterruptedException {
        return enforcement.isIdle() && idleReport().isEmpty();
    }

    private String idleReport() throws ExecutionException, InterruptedException {
        List<String> behind = new ArrayList<>();
        behind.addAll(lagging(enforcementGroup, enforcementInputs));
        behind.addAll(lagging(AUDIT_SINK_GROUP, Set.of(topics.auditLog().name())));
        if (!enforcement.isIdle()) {
            behind.add("enforcement: sweep or due schedule in progress");
        }
        return String.join("; ", behind);
    }

    private List<String> lagging(String group, Set<String> topicNames) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (var d : admin.describeTopics(topicNames).allTopicNames().get().values()) {
            d.partitions().forEach(p -> request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(request).all().get();
        List<String> out = new ArrayList<>();
        for (var e : ends.entrySet()) {
            TopicPartition tp = e.getKey();
            OffsetAndMetadata c = committed.get(tp);
            long pos = c == null ? 0 : c.offset();
            long end = e.getValue().offset();
            if (pos < end && hasCommittedRecords(tp, pos, end)) {
                out.add(group + " " + tp + " at " + pos + " of " + end);
            }
        }
        return out;
    }

    /**
     * Whether a read_committed reader finds any record in [from, to). The gap between a group's
     * committed offset and the end offset may hold only transaction markers (a consumer that
     * commits the last record's offset + 1 stops before the commit marker), or records of
     * aborted transactions: neither is work left to do.
     */
    private boolean hasCommittedRecords(TopicPartition tp, long from, long to) {
        synchronized (probe) {
            probe.assign(List.of(tp));
            probe.seek(tp, from);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (probe.position(tp) < to && System.nanoTime() < deadline) {
                if (!probe.poll(Duration.ofMillis(100)).isEmpty()) {
                    return true;
                }
            }
            return probe.position(tp) < to;
        }
    }

    /** The directive id of the warm-up preview; see {@link #warmUp}. */
    public static final String WARM_UP_DIRECTIVE = "cordon-warm-up";

    /**
     * Sends one DRY_RUN directive through the whole directive path — ingest's transaction, the
     * multicast repartition topic, every task's sweep, the impact aggregator — and waits for its
     * aggregated report. A fresh JVM takes most of a second to carry its first directive (class
     * loading, producer metadata, first transactions); after this, time 0 of a scenario means a hot
     * pipeline. A dry run cuts nothing and is never stored as a revision; it is audited like any other.
     *
     * @param timeout how long the report may take
     * @throws Exception when ingest refuses it or the report does not arrive in time
     */
    public void warmUp(ObjectMapper mapper, Duration timeout) throws Exception {
        var doc = mapper.createObjectNode();
        doc.put("directiveId", WARM_UP_DIRECTIVE);
        doc.put("revision", 1);
        doc.put("action", "RESTRICT");
        doc.put("issuer", "cordon-scenario-runner");
        doc.put("legalBasis", "none: pipeline warm-up before time 0");
        doc.put("reason", "Carry one dry run through the directive path before the timeline starts");
        doc.put("mode", "DRY_RUN");
        doc.putObject("scope").putArray("resources").add("*");
        IngestClient.Response r = ingestClient.issue(doc);
        if (!r.accepted()) {
            throw new IllegalStateException("ingest refused the warm-up dry run: HTTP " + r.status() + " " + r.body());
        }
        sessionProducer.partitionsFor(topics.sessionEvents().name()); // producer metadata, fetched once
        await("impact report of the warm-up dry run", timeout, () -> readImpacts().stream()
                .anyMatch(i -> i.getKind() == dev.cordon.avro.ImpactKind.AGGREGATE && WARM_UP_DIRECTIVE.equals(i.getDirectiveId())));
    }

    /**
     * Reads every committed command on revocation-commands, partition by partition in offset order.
     *
     * @return the commands
     */
    public List<RevocationCommand> readCommands() {
        return readAll(topics.revocationCommands());
    }

    /** @return every committed impact report (partials and aggregates), in offset order */
    public List<DirectiveImpact> readImpacts() {
        return readAll(topics.directiveImpacts());
    }

    private <V> List<V> readAll(Topic<String, V> topic) {
        Map<String, Object> props = new HashMap<>(stack.clientConfig());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(props, topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                    .collect(Collectors.toList());
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            for (TopicPartition tp : parts) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = ends.get(tp);
                while (consumer.position(tp) < end) {
                    for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.value() != null) {
                            out.add(r.value());
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Waits until the audit sink has stored all of audit-log, then verifies the chain in PostgreSQL.
     *
     * @param timeout how long the sink may take to catch up
     * @return the verifier's report
     */
    public VerifyReport verifyAudit(Duration timeout) throws Exception {
        await("audit sink caught up with audit-log", timeout,
                () -> {
                    try {
                        return lagging(AUDIT_SINK_GROUP, Set.of(topics.auditLog().name())).isEmpty();
                    } catch (Exception e) {
                        return false;
                    }
                });
        return AuditVerifier.verify(stack.postgresDataSource());
    }

    static Set<String> sourceTopics(TopologyDescription description) {
        Set<String> out = new HashSet<>();
        for (TopologyDescription.Subtopology s : description.subtopologies()) {
            for (TopologyDescription.Node n : s.nodes()) {
                if (n instanceof TopologyDescription.Source src && src.topicSet() != null) {
                    out.addAll(src.topicSet());
                }
            }
        }
        return out;
    }

    /**
     * Polls a condition every 50 ms until it holds.
     *
     * @throws TimeoutException naming what was awaited when it does not hold in time
     */
    public static void await(String what, Duration timeout, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            Thread.sleep(50);
        }
    }

    private static String randomSecret() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("error while closing {}", c.getClass().getSimpleName(), e);
        }
    }

    @Override
    public void close() {
        closeQuietly(ingest);
        closeQuietly(sessionProducer);
        closeQuietly(enforcement);
        closeQuietly(auditSink);
        closeQuietly(admin);
        closeQuietly(probe);
        closeQuietly(stack);
    }
}
