package dev.cordon.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cordon.avro.AuditEvent;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.schemas.TopicNames;
import dev.cordon.testkit.CordonCluster;
import dev.cordon.testkit.WithCordonCluster;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sink end to end on the test cluster of {@link WithCordonCluster} (Testcontainers or the embedded stack): a
 * real KRaft broker, a schema registry with Cordon's SpecificAvroSerde, and a real PostgreSQL (one fresh database
 * and topic prefix per test).
 */
@WithCordonCluster
@Tag("integration")
@Timeout(120)
class AuditSinkTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger TEST = new AtomicInteger();
    private static CordonCluster cluster;
    private static TestDatabase pg;

    private TestDatabase.Db db;
    private String prefix;
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path keyDir;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void useCluster(CordonCluster testCluster) {
        cluster = testCluster;
        pg = TestDatabase.onServer(cluster.jdbcUrl(), cluster.jdbcUser(), cluster.jdbcPassword());
    }

    @BeforeEach
    void freshTopicsAndDatabase() throws Exception {
        prefix = "t" + TEST.incrementAndGet() + ".";
        db = pg.emptyDatabase();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            List<NewTopic> topics = new ArrayList<>();
            for (TopicNames.TopicSpec spec : TopicNames.specs(prefix, 1)) {
                if (spec.name().endsWith(TopicNames.AUDIT_LOG) || spec.name().endsWith(TopicNames.DEAD_LETTERS)) {
                    topics.add(new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(spec.configs()));
                }
            }
            admin.createTopics(topics).all().get();
            // createTopics returns before the partitions answer (DESIGN.md): wait until they do.
            await("topics ready").atMost(WAIT).ignoreExceptions().until(() -> {
                Map<TopicPartition, OffsetSpec> q = new HashMap<>();
                topics.forEach(t -> q.put(new TopicPartition(t.name(), 0), OffsetSpec.latest()));
                return admin.listOffsets(q).all().get().size() == topics.size();
            });
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void shouldStoreTransactionallyProducedEventsInOrderWithAValidChain() throws Exception {
        // Given
        AuditSink sink = startSink("cordon-audit-sink");
        KafkaProducer<String, AuditEvent> producer = transactionalProducer("p1");

        // When 20 events are produced in two transactions
        produceCommitted(producer, 1, 10);
        produceCommitted(producer, 11, 20);

        // Then
        await("20 entries").atMost(WAIT).until(sink::lastSequence, n -> n == 20);
        assertThat(originSequencesInSeqOrder()).containsExactlyElementsOf(range(1, 20));
        VerifyReport report = AuditVerifier.verify(db.service());
        assertThat(report.ok()).as(report.problem()).isTrue();
        assertThat(report.entries()).isEqualTo(20);
        assertThat(sink.isHealthy()).isTrue();
    }

    @Test
    void shouldSignACheckpointRightAfterADirectiveChangeStoreItAndPublishIt() throws Exception {
        // Given
        AuditSink sink = startSink("cordon-audit-sink");
        KafkaProducer<String, AuditEvent> producer = transactionalProducer("p1");

        // When 5 session events, then a directive acceptance, are produced
        produceCommitted(producer, 1, 5);
        await("5 entries").atMost(WAIT).until(sink::lastSequence, n -> n == 5);
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(prefix + TopicNames.AUDIT_LOG, "D", AuditEvent.newBuilder(
                TestEvents.event("directive-ingest", -1, 1)).setType(dev.cordon.avro.AuditEventType.DIRECTIVE_ACCEPTED)
                .setSessionId(null).setDetails(Map.of("revision", "1", "action", "RESTRICT", "mode", "ENFORCE")).build()));
        producer.commitTransaction();

        // Then a checkpoint of size 6 is signed at once (the 60 s interval has not passed), verifiable, and published
        await("checkpoint of size 6").atMost(WAIT).until(() -> sink.lastCheckpoint() != null
                && sink.lastCheckpoint().treeSize() == 6);
        assertThat(sink.lastCheckpoint().reason()).isIn("DIRECTIVE", "FIRST");
        dev.cordon.audit.tools.LogVerifyReport r;
        try (var src = dev.cordon.audit.tools.DatabaseTrail.open(db.service())) {
            r = dev.cordon.audit.tools.LogVerifier.verify(src,
                    dev.cordon.audit.tools.LogVerifier.Options.trusting(List.of(sink.verifierKey())));
        }
        assertThat(r.ok()).as(r.problem()).isTrue();
        assertThat(r.latestCheckpointSize()).isEqualTo(6);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(new TopicPartition(prefix + AuditTopics.AUDIT_CHECKPOINTS, 0)));
            List<String> notes = new ArrayList<>();
            await("published checkpoint").atMost(WAIT).until(() -> {
                c.poll(Duration.ofMillis(100)).forEach(x -> notes.add(new String(x.value(), StandardCharsets.UTF_8)));
                return notes.stream().anyMatch(n -> n.contains("\n6\n"));
            });
        }
    }

    @Test
    void shouldNeverStoreTheEventsOfAnAbortedTransaction() throws Exception {
        // Given
        AuditSink sink = startSink("cordon-audit-sink");
        KafkaProducer<String, AuditEvent> producer = transactionalProducer("p1");

        // When a committed, an aborted and a committed transaction follow each other
        produceCommitted(producer, 1, 3);
        producer.beginTransaction();
        for (long q = 1000; q < 1005; q++) {
            producer.send(record(TestEvents.event(TestEvents.COMPONENT, 0, q)));
        }
        producer.flush();
        producer.abortTransaction();
        produceCommitted(producer, 4, 6);

        // Then only the committed ones are stored, and the later commit proves the aborted ones were passed
        await("6 entries").atMost(WAIT).until(sink::lastSequence, n -> n == 6);
        assertThat(originSequencesInSeqOrder()).containsExactlyElementsOf(range(1, 6));
        assertThat(AuditVerifier.verify(db.service()).ok()).isTrue();
    }

    @Test
    void shouldContinueTheChainWithoutDuplicatesAfterARestartThatKafkaOffsetsCannotTell() throws Exception {
        // Given a sink stored 5 events and stopped
        KafkaProducer<String, AuditEvent> producer = transactionalProducer("p1");
        AuditSink first = startSink("cordon-audit-sink");
        produceCommitted(producer, 1, 5);
        await("5 entries").atMost(WAIT).until(first::lastSequence, n -> n == 5);
        first.close();

        // When 5 more are produced and a sink restarts under a new group id (no Kafka offsets at all,
        // as after a crash between the database commit and the offset commit)
        produceCommitted(producer, 6, 10);
        AuditSink second = startSink("another-group");

        // Then it resumes from the database: no duplicate, the chain continues
        await("10 entries").atMost(WAIT).until(second::lastSequence, n -> n == 10);
        assertThat(originSequencesInSeqOrder()).containsExactlyElementsOf(range(1, 10));
        VerifyReport report = AuditVerifier.verify(db.service());
        assertThat(report.ok()).as(report.problem()).isTrue();
        assertThat(report.entries()).isEqualTo(10);
    }

    @Test
    void shouldStoreAnUnreadableRecordAsAnEntryAndADeadLetterAndKeepGoing() throws Exception {
        // Given
        AuditSink sink = startSink("cordon-audit-sink");
        KafkaProducer<String, AuditEvent> producer = transactionalProducer("p1");
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);

        // When a good event, bad bytes and another good event arrive
        produceCommitted(producer, 1, 1);
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(prefix + TopicNames.AUDIT_LOG, "k-bad".getBytes(StandardCharsets.UTF_8), garbage)).get();
        }
        produceCommitted(producer, 2, 2);

        // Then three entries: the middle one INPUT_UNREADABLE with the raw bytes and the exception
        await("3 entries").atMost(WAIT).until(sink::lastSequence, n -> n == 3);
        try (Connection c = db.serviceConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT event_type, payload, payload_format, details, kafka_offset "
                     + "FROM audit_entries WHERE seq = 2")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("INPUT_UNREADABLE");
            assertThat(rs.getBytes(2)).isEqualTo(garbage);
            assertThat(rs.getString(3)).isEqualTo("raw");
            assertThat(rs.getString(4)).contains("SerializationException");
        }
        assertThat(AuditVerifier.verify(db.service()).ok()).isTrue();
        // And the dead letter carries the raw bytes and provenance headers
        ConsumerRecord<byte[], byte[]> dl = firstDeadLetter();
        assertThat(dl.value()).isEqualTo(garbage);
        assertThat(header(dl, TopicNames.HEADER_DLQ_TOPIC)).isEqualTo(prefix + TopicNames.AUDIT_LOG);
        assertThat(header(dl, TopicNames.HEADER_DLQ_PARTITION)).isEqualTo("0");
        assertThat(header(dl, TopicNames.HEADER_DLQ_OFFSET)).matches("\\d+");
        assertThat(header(dl, TopicNames.HEADER_DLQ_EXCEPTION)).contains("SerializationException");
    }

    @Test
    void shouldTurnUnhealthyAndHoldWhileTheDatabaseRefusesThenCatchUpWithoutLoss() throws Exception {
        // Given a running sink with 2 entries
        AuditSink sink = startSink("cordon-audit-sink");
        KafkaProducer<String, AuditEvent> producer = transactionalProducer("p1");
        produceCommitted(producer, 1, 2);
        await("2 entries").atMost(WAIT).until(sink::lastSequence, n -> n == 2);

        // When the database refuses inserts and events keep coming
        ownerSql("REVOKE INSERT ON audit_entries FROM " + TestDatabase.SERVICE);
        produceCommitted(producer, 3, 5);

        // Then the sink goes red and stores nothing
        await("unhealthy").atMost(WAIT).until(() -> !sink.isHealthy());
        assertThat(sink.lastSequence()).isEqualTo(2);
        assertThat(sink.lastError()).isNotNull();

        // And when the database accepts again, everything arrives, in order
        ownerSql("GRANT INSERT ON audit_entries TO " + TestDatabase.SERVICE);
        await("5 entries").atMost(WAIT).until(sink::lastSequence, n -> n == 5);
        await("healthy").atMost(WAIT).until(sink::isHealthy);
        assertThat(originSequencesInSeqOrder()).containsExactlyElementsOf(range(1, 5));
        assertThat(AuditVerifier.verify(db.service()).ok()).isTrue();
    }

    @Test
    void shouldRetryInsteadOfStoringAsUnreadableWhenTheRegistryIsUnreachable() throws Exception {
        // Given a sink whose deserializer cannot reach the registry for now
        AtomicBoolean registryDown = new AtomicBoolean(true);
        Deserializer<AuditEvent> real = catalogue().auditLog().valueSerde().deserializer();
        Deserializer<AuditEvent> flaky = (topic, data) -> {
            if (registryDown.get()) {
                throw new SerializationException("cannot fetch schema", new ConnectException("Connection refused"));
            }
            return real.deserialize(topic, data);
        };
        AuditSink sink = AuditSink.start(sinkConfig("cordon-audit-sink"), flaky);
        toClose.add(sink);
        KafkaProducer<String, AuditEvent> producer = transactionalProducer("p1");

        // When an event arrives during the outage
        produceCommitted(producer, 1, 1);

        // Then it is held (not stored as unreadable), health is red; after the outage it is stored as itself
        await("unhealthy").atMost(WAIT).until(() -> !sink.isHealthy());
        assertThat(sink.lastSequence()).isZero();
        registryDown.set(false);
        await("1 entry").atMost(WAIT).until(sink::lastSequence, n -> n == 1);
        assertThat(originSequencesInSeqOrder()).containsExactly(1L);
        await("healthy").atMost(WAIT).until(sink::isHealthy);
    }

    // --- helpers ---

    private AuditSink startSink(String groupId) {
        AuditSink sink = AuditSink.start(sinkConfig(groupId));
        toClose.add(sink);
        return sink;
    }

    private AuditSinkConfig sinkConfig(String groupId) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(AuditSinkConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        cfg.put(AuditSinkConfig.SCHEMA_REGISTRY_URL_CONFIG, cluster.schemaRegistryUrl());
        cfg.put(AuditSinkConfig.TOPIC_PREFIX_CONFIG, prefix);
        cfg.put(AuditSinkConfig.JDBC_URL_CONFIG, db.url());
        cfg.put(AuditSinkConfig.JDBC_USER_CONFIG, TestDatabase.SERVICE);
        cfg.put(AuditSinkConfig.JDBC_PASSWORD_CONFIG, TestDatabase.SERVICE_PASSWORD);
        cfg.put(AuditSinkConfig.JDBC_OWNER_USER_CONFIG, db.ownerUser());
        cfg.put(AuditSinkConfig.JDBC_OWNER_PASSWORD_CONFIG, db.ownerPassword());
        cfg.put(AuditSinkConfig.GROUP_ID_CONFIG, groupId);
        cfg.put(AuditSinkConfig.POLL_TIMEOUT_MS_CONFIG, 50L);
        cfg.put(AuditSinkConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 500L);
        cfg.put(AuditSinkConfig.SIGNING_KEY_DIR_CONFIG, keyDir.toString());
        cfg.put(AuditSinkConfig.CHECKPOINT_ORIGIN_CONFIG, "cordon.test/" + prefix.replace(".", ""));
        return new AuditSinkConfig(cfg);
    }

    private TopicCatalogue catalogue() {
        return TopicCatalogue.create(prefix, Map.of(AuditSinkConfig.SCHEMA_REGISTRY_URL_CONFIG, cluster.schemaRegistryUrl()));
    }

    private KafkaProducer<String, AuditEvent> transactionalProducer(String id) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + id);
        KafkaProducer<String, AuditEvent> producer =
                new KafkaProducer<>(p, new StringSerializer(), catalogue().auditLog().valueSerde().serializer());
        producer.initTransactions();
        toClose.add(producer);
        return producer;
    }

    private void produceCommitted(KafkaProducer<String, AuditEvent> producer, long from, long to) {
        producer.beginTransaction();
        for (long q = from; q <= to; q++) {
            producer.send(record(TestEvents.event(TestEvents.COMPONENT, 0, q)));
        }
        producer.commitTransaction();
    }

    private ProducerRecord<String, AuditEvent> record(AuditEvent e) {
        return new ProducerRecord<>(prefix + TopicNames.AUDIT_LOG, e.getSessionId(), e);
    }

    private List<Long> originSequencesInSeqOrder() throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = db.serviceConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT origin_sequence FROM audit_entries ORDER BY seq")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    private void ownerSql(String sql) throws SQLException {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private ConsumerRecord<byte[], byte[]> firstDeadLetter() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(new TopicPartition(prefix + TopicNames.DEAD_LETTERS, 0)));
            List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            await("a dead letter").atMost(WAIT).until(() -> {
                c.poll(Duration.ofMillis(100)).forEach(got::add);
                return !got.isEmpty();
            });
            return got.get(0);
        }
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }
}
