package dev.cordon.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cordon.audit.internal.EntryStore;
import dev.cordon.avro.AuditEvent;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.schemas.TopicNames;
import dev.cordon.testkit.CordonCluster;
import dev.cordon.testkit.WithCordonCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sink's metrics and health endpoint (issue 7 §4) on the test cluster of {@link WithCordonCluster}
 * (Testcontainers or the embedded stack), one fresh database and topic prefix per test: scrapes {@code /metrics} and asks
 * {@code /health/ready} over HTTP, as Prometheus and an orchestrator would.
 */
@WithCordonCluster
@Tag("integration")
@Timeout(120)
class AuditSinkOpsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger TEST = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
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
        prefix = "ops" + TEST.incrementAndGet() + ".";
        db = pg.emptyDatabase();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            List<NewTopic> topics = new ArrayList<>();
            for (TopicNames.TopicSpec spec : TopicNames.specs(prefix, 1)) {
                if (spec.name().endsWith(TopicNames.AUDIT_LOG) || spec.name().endsWith(TopicNames.DEAD_LETTERS)) {
                    topics.add(new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(spec.configs()));
                }
            }
            admin.createTopics(topics).all().get();
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
    void shouldExposeAuditSeriesOnMetricsAndMoveThemAsEventsAreStored() throws Exception {
        // Given a sink serving its endpoint on an ephemeral loopback port
        AuditSink sink = startSink(Map.of());
        URI base = sink.opsServer().orElseThrow().baseUri();
        assertThat(base.getHost()).isEqualTo("127.0.0.1");
        await("lag measured").atMost(WAIT).until(() -> value(scrape(base), "cordon_audit_lag_records") == 0.0);
        String before = scrape(base);
        assertThat(value(before, "cordon_audit_chain_head_sequence")).isZero();
        assertThat(value(before, "cordon_audit_dead_letters_total")).isZero();

        // When 5 events, bad bytes and 1 more event are stored
        KafkaProducer<String, AuditEvent> producer = transactionalProducer("p1");
        produceCommitted(producer, 1, 5);
        produceGarbage();
        produceCommitted(producer, 6, 6);
        await("7 entries").atMost(WAIT).until(sink::lastSequence, n -> n == 7);

        // Then the named series moved, and the lag comes back to 0 (transaction markers are not lag)
        await("metrics moved").atMost(WAIT).untilAsserted(() -> {
            String m = scrape(base);
            assertThat(value(m, "cordon_audit_chain_head_sequence")).isEqualTo(7.0);
            assertThat(value(m, "cordon_audit_entries_appended_total{service=\"audit-sink\",type=\"INPUT_UNREADABLE\"}"))
                    .isEqualTo(1.0);
            assertThat(sumOf(m, "cordon_audit_entries_appended_total")).isEqualTo(7.0);
            assertThat(value(m, "cordon_audit_dead_letters_total")).isEqualTo(1.0);
            assertThat(sumOf(m, "cordon_audit_checkpoints_signed_total")).isGreaterThanOrEqualTo(1.0);
            assertThat(value(m, "cordon_audit_checkpoint_last_signed_timestamp_seconds")).isPositive();
            assertThat(value(m, "cordon_audit_lag_records")).isZero();
            assertThat(value(m, "cordon_audit_sink_healthy")).isEqualTo(1.0);
            assertThat(m).contains("kafka_consumer_fetch_manager_records_consumed_total").contains("jvm_memory_used_bytes");
        });
        assertThat(get(base, "/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(base, "/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldTurnReadinessRedWhenTheDatabaseRevokesInsertAndGreenWhenItGrantsAgain() throws Exception {
        // Given a ready sink with 2 entries
        AuditSink sink = startSink(Map.of());
        URI base = sink.opsServer().orElseThrow().baseUri();
        KafkaProducer<String, AuditEvent> producer = transactionalProducer("p1");
        produceCommitted(producer, 1, 2);
        await("2 entries").atMost(WAIT).until(sink::lastSequence, n -> n == 2);
        assertThat(get(base, "/health/ready").statusCode()).isEqualTo(200);

        // When the database refuses inserts and events keep coming
        ownerSql("REVOKE INSERT ON audit_entries FROM " + TestDatabase.SERVICE);
        produceCommitted(producer, 3, 5);

        // Then readiness is 503 naming the audit-sink check, the process stays live, the failures are counted
        await("ready is red").atMost(WAIT).until(() -> get(base, "/health/ready").statusCode() == 503);
        JsonNode body = JSON.readTree(get(base, "/health/ready").body());
        assertThat(body.get("failing")).extracting(JsonNode::asText).contains("audit-sink");
        assertThat(body.toString()).contains("permission denied");
        assertThat(get(base, "/health/live").statusCode()).isEqualTo(200);
        String m = scrape(base);
        assertThat(value(m, "cordon_audit_sink_healthy")).isZero();
        assertThat(value(m, "cordon_audit_store_failures_total")).isPositive();

        // And when inserts are granted again, everything is stored and readiness is green
        ownerSql("GRANT INSERT ON audit_entries TO " + TestDatabase.SERVICE);
        await("5 entries").atMost(WAIT).until(sink::lastSequence, n -> n == 5);
        await("ready is green").atMost(WAIT).until(() -> get(base, "/health/ready").statusCode() == 200);
    }

    @Test
    void shouldTurnReadinessRedWhenTheSinkFallsBehindLongerThanAllowedAndGreenWhenItCatchesUp() throws Exception {
        // Given a sink allowed 3 records of lag for 500 ms, measured every 100 ms
        AuditSink sink = startSink(Map.of(AuditSinkConfig.READY_MAX_LAG_RECORDS_CONFIG, 3L,
                AuditSinkConfig.READY_MAX_LAG_MS_CONFIG, 500L, AuditSinkConfig.LAG_SAMPLE_INTERVAL_MS_CONFIG, 100L));
        URI base = sink.opsServer().orElseThrow().baseUri();
        KafkaProducer<String, AuditEvent> producer = transactionalProducer("p1");
        produceCommitted(producer, 1, 1);
        await("1 entry").atMost(WAIT).until(sink::lastSequence, n -> n == 1);

        // When another writer holds the trail's writer lock (the sink blocks, healthy but not storing)
        // and 10 events arrive
        try (Connection blocker = db.ownerConnection()) {
            blocker.setAutoCommit(false);
            EntryStore.lockWriter(blocker);
            produceCommitted(producer, 2, 11);

            // Then the lag shows at least the 10 records and readiness turns red on audit-lag only, after the grace
            await("lag 10").atMost(WAIT).until(() -> value(scrape(base), "cordon_audit_lag_records") >= 10.0); // offsets: markers count too
            await("ready is red").atMost(WAIT).until(() -> get(base, "/health/ready").statusCode() == 503);
            JsonNode body = JSON.readTree(get(base, "/health/ready").body());
            assertThat(body.get("failing")).extracting(JsonNode::asText).containsExactly("audit-lag");
            assertThat(sink.lastSequence()).isEqualTo(1);

            // And when the lock is released the sink catches up and readiness is green again
            blocker.rollback();
        }
        await("11 entries").atMost(WAIT).until(sink::lastSequence, n -> n == 11);
        await("ready is green").atMost(WAIT).until(() -> get(base, "/health/ready").statusCode() == 200);
        assertThat(value(scrape(base), "cordon_audit_lag_records")).isZero();
    }

    // --- helpers ---

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String scrape(URI base) throws Exception {
        HttpResponse<String> r = get(base, "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** Value of the single series {@code name} (with {@code service="audit-sink"}), or of exactly {@code name{labels}}. */
    private static double value(String scrape, String series) {
        String key = series.contains("{") ? series : series + "{service=\"audit-sink\"}";
        for (String line : scrape.split("\n")) {
            if (line.startsWith(key + " ")) {
                return Double.parseDouble(line.substring(key.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + key + " in the scrape");
    }

    /** Sum of every series of {@code name} (any labels). */
    private static double sumOf(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*} (\\S+)$").matcher(scrape);
        double sum = 0;
        boolean any = false;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
            any = true;
        }
        if (!any) {
            throw new AssertionError("no series " + name + " in the scrape");
        }
        return sum;
    }

    private AuditSink startSink(Map<String, Object> extra) {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put(AuditSinkConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        cfg.put(AuditSinkConfig.SCHEMA_REGISTRY_URL_CONFIG, cluster.schemaRegistryUrl());
        cfg.put(AuditSinkConfig.TOPIC_PREFIX_CONFIG, prefix);
        cfg.put(AuditSinkConfig.JDBC_URL_CONFIG, db.url());
        cfg.put(AuditSinkConfig.JDBC_USER_CONFIG, TestDatabase.SERVICE);
        cfg.put(AuditSinkConfig.JDBC_PASSWORD_CONFIG, TestDatabase.SERVICE_PASSWORD);
        cfg.put(AuditSinkConfig.JDBC_OWNER_USER_CONFIG, db.ownerUser());
        cfg.put(AuditSinkConfig.JDBC_OWNER_PASSWORD_CONFIG, db.ownerPassword());
        cfg.put(AuditSinkConfig.POLL_TIMEOUT_MS_CONFIG, 50L);
        cfg.put(AuditSinkConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 500L);
        cfg.put(AuditSinkConfig.SIGNING_KEY_DIR_CONFIG, keyDir.toString());
        cfg.put(AuditSinkConfig.CHECKPOINT_ORIGIN_CONFIG, "cordon.test/" + prefix.replace(".", ""));
        cfg.put(AuditSinkConfig.CHECKPOINT_INTERVAL_MS_CONFIG, 100L);
        cfg.put(AuditSinkConfig.LAG_SAMPLE_INTERVAL_MS_CONFIG, 100L);
        cfg.put("ops.enabled", true);
        cfg.put("ops.port", 0);
        cfg.putAll(extra);
        AuditSink sink = AuditSink.start(new AuditSinkConfig(cfg));
        toClose.add(sink);
        return sink;
    }

    private KafkaProducer<String, AuditEvent> transactionalProducer(String id) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + id);
        TopicCatalogue catalogue = TopicCatalogue.create(prefix,
                Map.of(AuditSinkConfig.SCHEMA_REGISTRY_URL_CONFIG, cluster.schemaRegistryUrl()));
        KafkaProducer<String, AuditEvent> producer =
                new KafkaProducer<>(p, new StringSerializer(), catalogue.auditLog().valueSerde().serializer());
        producer.initTransactions();
        toClose.add(producer);
        return producer;
    }

    private void produceCommitted(KafkaProducer<String, AuditEvent> producer, long from, long to) {
        producer.beginTransaction();
        for (long q = from; q <= to; q++) {
            AuditEvent e = TestEvents.event(TestEvents.COMPONENT, 0, q);
            producer.send(new ProducerRecord<>(prefix + TopicNames.AUDIT_LOG, e.getSessionId(), e));
        }
        producer.commitTransaction();
    }

    private void produceGarbage() throws Exception {
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(prefix + TopicNames.AUDIT_LOG, "k-bad".getBytes(StandardCharsets.UTF_8),
                    "not avro at all".getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    private void ownerSql(String sql) throws SQLException {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
