package dev.cordon.audit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cordon.audit.internal.CanonicalAvro;
import dev.cordon.audit.internal.Checkpointer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import dev.cordon.audit.internal.EntryStore;
import dev.cordon.audit.internal.LagMonitor;
import dev.cordon.audit.internal.SinkLoop;
import dev.cordon.audit.internal.SinkMetrics;
import dev.cordon.ops.HealthCheck;
import dev.cordon.ops.MetricNames;
import dev.cordon.ops.OpsConfig;
import dev.cordon.ops.OpsMetrics;
import dev.cordon.ops.OpsServer;
import dev.cordon.ops.SustainedThreshold;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import dev.cordon.avro.AuditEvent;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.schemas.TopicNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends {@code audit-log} to PostgreSQL as a gap-free, SHA-256 hash-chained, append-only trail
 * (DESIGN.md "Audit trail"; hash layout in {@link EntryHasher}).
 *
 * <p>Behaviour:
 * <ul>
 *   <li>Consumes {@code <prefix>audit-log} (every partition) with {@code isolation.level=read_committed}
 *       and {@code enable.auto.commit=false}: events of aborted transactions are never stored.</li>
 *   <li>Each poll batch is stored in ONE database transaction: writers are serialised by a transaction
 *       advisory lock, each entry gets {@code seq = previous max + 1} (not a database sequence, which
 *       leaves gaps on rollback), its Kafka provenance (unique), the canonical event bytes (Avro binary
 *       without Confluent framing), {@code prev_hash} and {@code entry_hash}. Then offsets are committed
 *       to Kafka, for information only.</li>
 *   <li>The position comes from the database: on assignment each partition resumes at the highest stored
 *       offset + 1; a redelivered record (offset already stored) is skipped, so a crash between the
 *       database commit and the Kafka commit never duplicates.</li>
 *   <li>An unreadable record (bad bytes, tombstone) is stored as an entry of type
 *       {@code INPUT_UNREADABLE} (payload = raw value, details = the exception) and sent to
 *       {@code <prefix>dead-letters} with the {@code TopicNames.HEADER_DLQ_*} provenance headers, before
 *       the batch commits (a retried batch may therefore send a dead letter twice, never zero times).</li>
 *   <li>In the same transaction the entries' leaves ({@link TreeLeaf}) are appended to the RFC 6962 tree: the
 *       compact range is read from {@code audit_tree_heads}, every completed perfect-subtree node is inserted
 *       into {@code audit_tree_nodes} and the new head into {@code audit_tree_heads} — the log is never re-read.
 *       A checkpoint ({@link SignedCheckpoint}) is signed in that transaction after a batch holding a directive
 *       change, and at most {@code audit.checkpoint.interval.ms} after the previous one while the log grows
 *       (checked between batches too), and a {@code SHUTDOWN} checkpoint on {@link #close()} when entries were
 *       stored after the last one (so a stopped log is signed to its end); after the commit it is published to {@code <prefix>audit-checkpoints}
 *       (key = origin, value = the signed note, UTF-8). A failed publication is logged: the database row is the
 *       record, and witnesses may read it there.</li>
 *   <li>On a database or dead-letter error nothing advances: the batch is retried with exponential
 *       backoff ({@code retry.backoff.ms} … {@code retry.backoff.max.ms}) and {@link #isHealthy()} is
 *       {@code false} until it succeeds.</li>
 * </ul>
 * <p>Operations (issue 7 §4): every sink has a Micrometer registry ({@link #metricsRegistry()}) with the
 * {@code cordon.audit.*} meters of {@link MetricNames} — audit lag ({@code cordon_audit_lag_records}: audit-log end
 * offset, read_committed, minus the next offset to store, sampled every {@code audit.lag.sample.interval.ms} on its
 * own thread), chain head, entries appended, checkpoints signed, dead letters, store failures, health — plus JVM and
 * Kafka client metrics. Readiness ({@link #readinessChecks()}) is red while {@link #isHealthy()} is false or the lag
 * stays above {@code audit.ready.max.lag.records} for longer than {@code audit.ready.max.lag.ms}; liveness is red
 * once the consumer thread has died. With {@code ops.enabled=true} the sink serves them itself ({@link OpsServer}
 * on {@code ops.host:ops.port}).
 * Thread-safety: the query methods may be called from any thread.
 */
public final class AuditSink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditSink.class);

    private final SinkLoop loop;
    private final Thread thread;
    private final HikariDataSource dataSource;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private volatile boolean closed;

    private final String verifierKey;
    private final OpsMetrics metrics;
    private final SustainedThreshold lagThreshold;
    private final SinkMetrics sinkMetrics;
    private LagMonitor lagMonitor;
    private AdminClient lagAdmin;
    private OpsServer opsServer;

    private AuditSink(SinkLoop loop, HikariDataSource dataSource, KafkaConsumer<byte[], byte[]> consumer,
                      KafkaProducer<byte[], byte[]> producer, String verifierKey, OpsMetrics metrics,
                      SinkMetrics sinkMetrics, SustainedThreshold lagThreshold) {
        this.verifierKey = verifierKey;
        this.metrics = metrics;
        this.sinkMetrics = sinkMetrics;
        this.lagThreshold = lagThreshold;
        this.loop = loop;
        this.dataSource = dataSource;
        this.consumer = consumer;
        this.producer = producer;
        this.thread = new Thread(loop, "cordon-audit-sink");
        this.thread.setDaemon(false);
    }

    /**
     * Runs the migrations as {@code jdbc.owner.user} when it is set ({@link AuditDatabase#migrate}), then
     * connects as the service role, and starts the consumer thread. Returns without waiting for the
     * partition assignment.
     *
     * @param config the configuration
     * @return the running sink; close it
     * @throws IllegalStateException if migration fails, or the database is unreachable or not migrated, or
     *                               {@code ops.enabled} and the endpoint cannot listen on {@code ops.host:ops.port}
     */
    public static AuditSink start(AuditSinkConfig config) {
        Objects.requireNonNull(config, "config");
        TopicCatalogue topics = TopicCatalogue.create(config.topicPrefix(), config.serdeConfig());
        return start(config, topics.auditLog().valueSerde().deserializer());
    }

    /** Same as {@link #start(AuditSinkConfig)} with an explicit value deserializer (tests, other registries). */
    static AuditSink start(AuditSinkConfig config, Deserializer<AuditEvent> valueDeserializer) {
        String jdbcUrl = config.getString(AuditSinkConfig.JDBC_URL_CONFIG);
        String user = config.getString(AuditSinkConfig.JDBC_USER_CONFIG);
        if (config.jdbcOwnerUser() != null) {
            int applied = AuditDatabase.migrate(jdbcUrl, config.jdbcOwnerUser(), config.jdbcOwnerPassword(), user,
                    config.jdbcPassword());
            LOG.info("audit database migrated ({} migrations applied)", applied);
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(jdbcUrl);
        hc.setUsername(user);
        hc.setPassword(config.jdbcPassword());
        hc.setMaximumPoolSize(2);
        // pgjdbc sends a JDBC batch as one INSERT per row unless told to rewrite it into multi-row INSERTs; a batch of
        // entries and their Merkle nodes is exactly that case
        hc.addDataSourceProperty("reWriteBatchedInserts", "true");
        hc.setPoolName("cordon-audit-sink");
        hc.setInitializationFailTimeout(-1); // the loop retries; start() checks the schema below
        HikariDataSource ds = new HikariDataSource(hc);
        long head;
        try (Connection c = ds.getConnection()) {
            EntryStore.recordPayloadSchema(c, CanonicalAvro.PAYLOAD_FORMAT, CanonicalAvro.SCHEMA_JSON);
            head = EntryStore.head(c).seq();
        } catch (SQLException e) {
            ds.close();
            throw new IllegalStateException("audit database at " + jdbcUrl + " as '" + user
                    + "' is unusable (not migrated? set jdbc.owner.user to migrate): " + e.getMessage(), e);
        }

        CheckpointKeys.KeyMaterial key = config.signingKey();
        Checkpointer checkpointer = new Checkpointer(config.getString(AuditSinkConfig.CHECKPOINT_ORIGIN_CONFIG),
                key.signer(), key.verifierKey(), config.getLong(AuditSinkConfig.CHECKPOINT_INTERVAL_MS_CONFIG));
        LOG.info("audit sink signs checkpoints of origin {} with verifier key {}", checkpointer.origin(),
                key.verifierKey());

        String prefix = config.topicPrefix();
        String bootstrap = config.getString(AuditSinkConfig.BOOTSTRAP_SERVERS_CONFIG);
        Map<String, Object> cc = new HashMap<>(config.originalsWithPrefix("consumer."));
        cc.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        cc.put(ConsumerConfig.GROUP_ID_CONFIG, config.getString(AuditSinkConfig.GROUP_ID_CONFIG));
        cc.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cc.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        cc.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cc.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.getInt(AuditSinkConfig.BATCH_MAX_RECORDS_CONFIG));
        cc.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "cordon-audit-sink");
        Map<String, Object> pc = new HashMap<>(config.originalsWithPrefix("producer."));
        pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pc.put(ProducerConfig.ACKS_CONFIG, "all");
        pc.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        pc.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "cordon-audit-sink-dead-letters");

        String checkpointsTopic = prefix + AuditTopics.AUDIT_CHECKPOINTS;
        if (config.getBoolean(AuditSinkConfig.CHECKPOINTS_TOPIC_CREATE_CONFIG)) {
            AuditTopics.ensureCheckpointsTopic(bootstrap, config.originalsWithPrefix("admin."), checkpointsTopic);
        }
        KafkaConsumer<byte[], byte[]> consumer = null;
        KafkaProducer<byte[], byte[]> producer = null;
        OpsMetrics metrics = OpsMetrics.create("audit-sink");
        SinkMetrics sinkMetrics = new SinkMetrics(metrics.registry());
        try {
            consumer = new KafkaConsumer<>(cc, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            producer = new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer());
            KafkaProducer<byte[], byte[]> p = producer;
            String origin = checkpointer.origin();
            java.util.function.Consumer<SignedCheckpoint> publisher = cp -> p.send(new ProducerRecord<>(checkpointsTopic,
                    origin.getBytes(StandardCharsets.UTF_8), cp.note().getBytes(StandardCharsets.UTF_8)), (md, ex) -> {
                        if (ex != null) {
                            LOG.warn("audit sink: checkpoint {} not published to {} (it is in audit_checkpoints): {}",
                                    cp.number(), checkpointsTopic, ex.toString());
                        }
                    });
            SinkLoop loop = new SinkLoop(consumer, producer, ds, valueDeserializer,
                    prefix + TopicNames.AUDIT_LOG, prefix + TopicNames.DEAD_LETTERS,
                    Duration.ofMillis(config.getLong(AuditSinkConfig.POLL_TIMEOUT_MS_CONFIG)),
                    config.getLong(AuditSinkConfig.RETRY_BACKOFF_MS_CONFIG),
                    config.getLong(AuditSinkConfig.RETRY_BACKOFF_MAX_MS_CONFIG), head, checkpointer, publisher,
                    sinkMetrics);
            SustainedThreshold lagThreshold = new SustainedThreshold("audit lag (records)",
                    config.getLong(AuditSinkConfig.READY_MAX_LAG_RECORDS_CONFIG),
                    config.getLong(AuditSinkConfig.READY_MAX_LAG_MS_CONFIG));
            AuditSink sink = new AuditSink(loop, ds, consumer, producer, key.verifierKey(), metrics,
                    sinkMetrics, lagThreshold);
            sink.thread.start();
            try {
                sink.startOps(config, bootstrap, prefix + TopicNames.AUDIT_LOG);
            } catch (RuntimeException e) {
                sink.close();
                throw e;
            }
            return sink;
        } catch (RuntimeException e) {
            if (closedBySink(e)) {
                throw e;
            }
            metrics.close();
            if (producer != null) {
                producer.close(Duration.ZERO);
            }
            if (consumer != null) {
                consumer.close();
            }
            ds.close();
            throw e;
        }
    }

    private static boolean closedBySink(RuntimeException e) {
        return e instanceof OpsStartFailure;
    }

    /** Marks a failure after the sink object existed: it has closed everything itself. */
    private static final class OpsStartFailure extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        OpsStartFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void startOps(AuditSinkConfig config, String bootstrap, String auditTopic) {
        try {
            Map<String, Object> ac = new HashMap<>(config.originalsWithPrefix("admin."));
            ac.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            ac.putIfAbsent(org.apache.kafka.clients.admin.AdminClientConfig.CLIENT_ID_CONFIG, "cordon-audit-sink-lag");
            lagAdmin = AdminClient.create(ac);
            lagMonitor = new LagMonitor(lagAdmin, dataSource, auditTopic, loop::durablePositions, lagThreshold,
                    config.getLong(AuditSinkConfig.LAG_SAMPLE_INTERVAL_MS_CONFIG));
            PrometheusMeterRegistry registry = metrics.registry();
            Gauge.builder(MetricNames.AUDIT_LAG, lagMonitor, LagMonitor::lag).baseUnit(MetricNames.UNIT_RECORDS)
                    .description("audit-log end offset (read_committed) minus the next offset to store, all partitions")
                    .register(registry);
            Gauge.builder(MetricNames.AUDIT_CHAIN_HEAD, loop, SinkLoop::lastSequence)
                    .description("seq of the last stored audit entry (hash-chain head)").register(registry);
            Gauge.builder(MetricNames.AUDIT_SINK_HEALTHY, this, s -> s.isHealthy() ? 1 : 0)
                    .description("1 while the sink stores batches without error").register(registry);
            TimeGauge.builder(MetricNames.AUDIT_CHECKPOINT_LAST_SIGNED, sinkMetrics,
                            TimeUnit.MILLISECONDS, m -> m.lastCheckpointMs() < 0 ? Double.NaN : m.lastCheckpointMs())
                    .description("when this process last signed a checkpoint (epoch)").register(registry);
            metrics.bind(consumer);
            metrics.bind(producer);
            metrics.bind(lagAdmin);
            opsServer = OpsServer.startIfEnabled(OpsConfig.settings(config), registry, livenessChecks(),
                    readinessChecks()).orElse(null);
        } catch (RuntimeException e) {
            close();
            throw new OpsStartFailure(e.getMessage(), e);
        }
    }

    /** @return the sink's metrics registry (scrape it, or serve it with {@link OpsServer}) */
    public PrometheusMeterRegistry metricsRegistry() {
        return metrics.registry();
    }

    /** @return liveness checks: {@code audit-sink-thread} (the consumer thread runs) */
    public List<HealthCheck> livenessChecks() {
        return List.of(HealthCheck.of("audit-sink-thread", () -> closed || thread.isAlive(),
                () -> closed ? "closed" : thread.isAlive() ? "running" : "consumer thread died: " + lastError()));
    }

    /**
     * @return readiness checks: {@code audit-sink} ({@link #isHealthy()}, detail = the last error) and
     *         {@code audit-lag} (lag above {@code audit.ready.max.lag.records} for longer than
     *         {@code audit.ready.max.lag.ms})
     */
    public List<HealthCheck> readinessChecks() {
        return List.of(
                HealthCheck.of("audit-sink", this::isHealthy, () -> {
                    if (isHealthy()) {
                        return "storing; chain head " + lastSequence();
                    }
                    Throwable e = lastError();
                    return closed ? "closed" : "not storing: " + (e == null ? "stopped" : e.toString());
                }),
                lagThreshold.asHealthCheck("audit-lag", System::currentTimeMillis));
    }

    /** @return the last measured audit lag in records (NaN before the first measurement) */
    public double auditLag() {
        return lagMonitor == null ? Double.NaN : lagMonitor.lag();
    }

    /** @return the metrics and health endpoint when {@code ops.enabled=true}, else empty */
    public Optional<OpsServer> opsServer() {
        return Optional.ofNullable(opsServer);
    }

    /** @return the public key checkpoints are signed with, as signed-note verifier key text (give it to auditors) */
    public String verifierKey() {
        return verifierKey;
    }

    /** @return the last checkpoint this sink signed since it started, or {@code null} */
    public SignedCheckpoint lastCheckpoint() {
        return loop.lastCheckpoint();
    }

    /** @return seq of the last entry this sink knows committed (0 when the trail is empty) */
    public long lastSequence() {
        return loop.lastSequence();
    }

    /**
     * @return {@code true} while the consumer thread runs and the last database/dead-letter operation
     *         succeeded; {@code false} while a batch is being retried, after a fatal error, or once closed
     */
    public boolean isHealthy() {
        return !closed && thread.isAlive() && loop.healthy();
    }

    /** @return the last error met (may be from a batch since retried successfully), or {@code null} */
    public Throwable lastError() {
        return loop.lastError();
    }

    /** Stops the consumer thread (within one poll/backoff step), then closes clients and the pool. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (opsServer != null) {
            opsServer.close();
        }
        if (lagMonitor != null) {
            lagMonitor.close();
        }
        loop.stop();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("audit sink thread did not stop within 30 s");
        } else {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
        producer.close(Duration.ofSeconds(5));
        if (lagAdmin != null) {
            lagAdmin.close(Duration.ofSeconds(5));
        }
        dataSource.close();
        metrics.close();
    }
}
