package dev.cordon.enforcement;

import dev.cordon.enforcement.internal.EnforcementMetrics;
import dev.cordon.ops.KafkaStreamsOps;
import dev.cordon.ops.MetricNames;
import dev.cordon.ops.OpsConfig;
import dev.cordon.ops.OpsMetrics;
import dev.cordon.ops.OpsServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import dev.cordon.enforcement.internal.DirectiveEntry;
import dev.cordon.enforcement.internal.Names;
import dev.cordon.enforcement.internal.StateMarker;
import dev.cordon.enforcement.internal.SweepState;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.schemas.admin.TopicAdmin;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running enforcement service: checks the topics, builds {@link EnforcementTopology}, starts Kafka Streams
 * (exactly-once v2; a failed stream thread is replaced), and answers whether it is running and idle.
 */
public final class EnforcementApp implements AutoCloseable {
    /** Name of the readiness check (in {@code GET /health/ready}) that reports replaced stream threads. */
    public static final String THREAD_REPLACEMENT_CHECK = "stream-thread-replacements";
    private static final Logger LOG = LoggerFactory.getLogger(EnforcementApp.class);

    private final KafkaStreams streams;
    private final EnforcementSettings settings;
    private final long closeTimeoutMs;
    private final AtomicInteger threadsReplaced = new AtomicInteger();
    private final AtomicReference<String> lastThreadFailure = new AtomicReference<>();
    private final double[] sampled = new double[1];
    private OpsMetrics ops;
    private OpsServer opsServer;
    private java.util.concurrent.ScheduledExecutorService sampler;

    private EnforcementApp(KafkaStreams streams, EnforcementSettings settings, long closeTimeoutMs) {
        this.streams = streams;
        this.settings = settings;
        this.closeTimeoutMs = closeTimeoutMs;
    }

    /**
     * Health of the service.
     *
     * @param state              Kafka Streams state
     * @param liveThreads        stream threads alive now
     * @param threadsReplaced    stream threads that died of an uncaught exception and were replaced since start
     * @param lastThreadFailure  the last such exception ({@code class: message}, with its root cause when different), or {@code null}
     */
    public record Health(KafkaStreams.State state, int liveThreads, int threadsReplaced, String lastThreadFailure) {
        /** @return whether Streams is RUNNING or REBALANCING with at least one live thread */
        public boolean healthy() {
            return (state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING) && liveThreads > 0;
        }
    }

    /**
     * Checks the topics, then starts the service (returns without waiting for RUNNING; poll {@link #isRunning()}).
     *
     * @param config the configuration
     * @return the started service
     * @throws IllegalStateException when a topic is missing, the audit-log topic could lose entries (DESIGN.md
     *                               "Topics"), partition counts differ from what the topology needs, or an internal
     *                               topic (changelog, repartition) that existed is gone ({@code StateMarker})
     * @throws org.apache.kafka.common.config.ConfigException when {@code processing.guarantee} is not exactly_once_v2
     *                               (refused by {@link EnforcementConfig})
     */
    public static EnforcementApp start(EnforcementConfig config) {
        Objects.requireNonNull(config, "config");
        EnforcementSettings settings = config.settings();
        TopicCatalogue topics = TopicCatalogue.create(config.topicPrefix(), config.serdeConfig());
        try (Admin admin = Admin.create(config.adminConfig())) {
            checkTopics(admin, topics, settings);
        }
        dev.cordon.schemas.signing.TrustedKeys trusted = config.trustedKeys();
        if (trusted == null) {
            LOG.warn("{}=false and no {}: directive changes are NOT signature-checked; any record on directive-changes "
                    + "takes effect", EnforcementConfig.SIGNATURES_REQUIRED_CONFIG, EnforcementConfig.TRUSTED_KEYS_CONFIG);
        }
        OpsMetrics ops = OpsMetrics.create("enforcement-stream");
        EnforcementMetrics metrics = new EnforcementMetrics(ops.registry());
        Topology topology = EnforcementTopology.build(topics, settings, trusted, metrics);
        LOG.info("Enforcement topology:\n{}", topology.describe());
        String appId = config.applicationId();
        Set<String> internal = StateMarker.internalTopics(appId, topology.describe(), externalTopics(topics));
        try (Admin admin = Admin.create(config.adminConfig())) {
            StateMarker.check(admin, config.adminConfig(), appId, internal);
        }
        KafkaStreams streams = new KafkaStreams(topology, config.streamsProperties());
        EnforcementApp app = new EnforcementApp(streams, settings, config.closeTimeoutMs());
        app.ops = ops;
        KafkaStreamsOps.bind(ops, streams);
        Counter deaths = Counter.builder(MetricNames.STREAMS_THREAD_DEATHS)
                .description("Stream threads that died and were replaced").register(ops.registry());
        Gauge.builder(MetricNames.ENFORCEMENT_SESSIONS_ACTIVE, app, a -> a.liveSessions(metrics))
                .description("Live (ACTIVE) sessions in this instance's session tasks").register(ops.registry());
        Gauge.builder(MetricNames.ENFORCEMENT_DIRECTIVES_IN_FORCE, app.sampled, s -> s[0])
                .description("Directives in force (RESTRICT, ENFORCE, within their window), sampled").register(ops.registry());
        streams.setUncaughtExceptionHandler(error -> {
            LOG.error("Stream thread failed; replacing it (its tasks resume from the last commit)", error);
            deaths.increment();
            app.threadsReplaced.incrementAndGet();
            app.lastThreadFailure.set(describe(error));
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        AtomicBoolean recorded = new AtomicBoolean();
        streams.setStateListener((next, previous) -> {
            if (next == KafkaStreams.State.RUNNING && recorded.compareAndSet(false, true)) {
                Thread t = new Thread(() -> {
                    try (Admin admin = Admin.create(config.adminConfig())) {
                        StateMarker.record(admin, config.adminConfig(), appId, internal);
                    } catch (RuntimeException e) {
                        recorded.set(false);
                        LOG.warn("Could not record the state marker (retried at the next RUNNING)", e);
                    }
                }, "cordon-state-marker");
                t.setDaemon(true);
                t.start();
            }
        });
        streams.start();
        dev.cordon.enforcement.internal.CountWarmUp.start(); // the first preview then runs compiled code (issue 6 §5)
        int threads = config.getInt(EnforcementConfig.NUM_STREAM_THREADS_CONFIG);
        try {
            app.opsServer = OpsServer.startIfEnabled(OpsConfig.settings(config), ops.registry(),
                    List.of(KafkaStreamsOps.liveness("kafka-streams", streams)),
                    List.of(KafkaStreamsOps.readiness("kafka-streams", streams, threads), app.threadReplacementCheck()))
                    .orElse(null);
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
        app.sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cordon-enforcement-gauges");
            t.setDaemon(true);
            return t;
        });
        app.sampler.scheduleWithFixedDelay(app::sampleStores, 5, 15, java.util.concurrent.TimeUnit.SECONDS);
        return app;
    }

    /** @return ACTIVE sessions over the session tasks this instance runs now (kept by the tasks, no store scan) */
    private double liveSessions(EnforcementMetrics metrics) {
        try {
            return metrics.liveSessions().total(streams.metadataForLocalThreads().stream()
                    .flatMap(t -> t.activeTasks().stream()).map(org.apache.kafka.streams.TaskMetadata::taskId).toList());
        } catch (RuntimeException e) {
            return Double.NaN; // not running (starting, closed)
        }
    }

    /**
     * Counts directives in force in one local copy (directives are multicast, so every partition holds them all).
     * Every 15 s; the directives store is small (one entry per directive).
     */
    private void sampleStores() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return;
        }
        try {
            long now = System.currentTimeMillis();
            long inForce = 0;
            for (var task : streams.metadataForLocalThreads().stream().flatMap(t -> t.activeTasks().stream()).toList()) {
                if (task.topicPartitions().stream().noneMatch(tp -> tp.topic().endsWith(dev.cordon.enforcement.internal.Names.DIRECTIVE_BROADCAST + "-repartition"))) {
                    continue;
                }
                int partition = task.topicPartitions().iterator().next().partition();
                var directives = streams.store(org.apache.kafka.streams.StoreQueryParameters.fromNameAndType(
                        dev.cordon.enforcement.internal.Names.DIRECTIVES_STORE,
                        org.apache.kafka.streams.state.QueryableStoreTypes.<String, dev.cordon.enforcement.internal.DirectiveEntry>keyValueStore())
                        .withPartition(partition));
                try (var it = directives.all()) {
                    while (it.hasNext()) {
                        if (dev.cordon.enforcement.internal.DirectiveRules.inForce(it.next().value.current(), now)) {
                            inForce++;
                        }
                    }
                }
                break;
            }
            sampled[0] = inForce;
        } catch (RuntimeException e) {
            LOG.debug("store sampling skipped (rebalancing?)", e);
        }
    }

    private static Set<String> externalTopics(TopicCatalogue topics) {
        return Set.of(topics.directiveChanges().name(), topics.sessionEvents().name(), topics.revocationCommands().name(),
                topics.directiveImpacts().name(), topics.auditLog().name(), topics.deadLetters().name());
    }

    /** @return the service's health: Streams state, live stream threads, and threads replaced after a failure */
    public Health health() {
        int live = 0;
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            if (!"DEAD".equals(thread.threadState())) {
                live++;
            }
        }
        return new Health(streams.state(), live, threadsReplaced.get(), lastThreadFailure.get());
    }

    /**
     * A readiness check reporting stream threads replaced after a failure (issue 3 §3: "a thread that does die is
     * replaced, with health reporting it"). Always up: a replaced thread serves again (readiness "kafka-streams" is
     * down while fewer threads than configured are alive); the detail says how many were replaced and why the last died.
     */
    private dev.cordon.ops.HealthCheck threadReplacementCheck() {
        return dev.cordon.ops.HealthCheck.of(THREAD_REPLACEMENT_CHECK, () -> true, () -> {
            int replaced = threadsReplaced.get();
            return replaced == 0 ? "no stream thread replaced"
                    : replaced + " stream thread(s) died and were replaced; last failure: " + lastThreadFailure.get();
        });
    }

    /** @return {@code class: message} of {@code error}, and of its root cause when that is another exception */
    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String top = error.getClass().getName() + ": " + error.getMessage();
        return root == error ? top : top + " (caused by " + root.getClass().getName() + ": " + root.getMessage() + ")";
    }

    static void checkTopics(Admin admin, TopicCatalogue topics, EnforcementSettings settings) {
        List<String> names = List.of(topics.directiveChanges().name(), topics.sessionEvents().name(),
                topics.revocationCommands().name(), topics.directiveImpacts().name(), topics.auditLog().name(),
                topics.deadLetters().name());
        TopicAdmin.checkTopicsExist(admin, names);
        TopicAdmin.checkAuditLogTopic(admin, topics.auditLog().name());
        Map<String, TopicDescription> described;
        try {
            described = admin.describeTopics(names).allTopicNames().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe Cordon's topics: " + e.getCause(), e.getCause());
        }
        requirePartitions(described, topics.sessionEvents().name(), settings.sessionPartitions(),
                "set session.partitions to its partition count");
        requirePartitions(described, topics.directiveChanges().name(), 1, "directive changes are totally ordered");
        requirePartitions(described, topics.directiveImpacts().name(), 1, "the impact aggregator is one task");
    }

    private static void requirePartitions(Map<String, TopicDescription> described, String topic, int expected, String why) {
        int actual = described.get(topic).partitions().size();
        if (actual != expected) {
            throw new IllegalStateException("Topic '" + topic + "' has " + actual + " partitions but the enforcement topology needs "
                    + expected + " (" + why + ")");
        }
    }

    /** @return the Kafka Streams instance (metrics, state listeners) */
    public KafkaStreams streams() {
        return streams;
    }

    /**
     * @return whether Streams is RUNNING and this instance's threads hold every task: one control task plus two per
     *         session partition (intake and session) (a single-instance deployment; with several instances, watch the
     *         consumer group)
     */
    public boolean isRunning() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        int active = 0;
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            active += thread.activeTasks().size();
        }
        return active == 1 + 2 * settings.sessionPartitions();
    }

    /**
     * @return whether no local task has a sweep in progress and no activation or expiry is due (time passed) but not yet
     *         processed; {@code false} while stores are not queryable (e.g. during a rebalance)
     */
    public boolean isIdle() {
        try {
            ReadOnlyKeyValueStore<String, SweepState> sweeps = streams.store(
                    StoreQueryParameters.fromNameAndType(Names.SWEEPS_STORE, QueryableStoreTypes.<String, SweepState>keyValueStore()));
            try (KeyValueIterator<String, SweepState> it = sweeps.all()) {
                if (it.hasNext()) {
                    return false;
                }
            }
            ReadOnlyKeyValueStore<String, DirectiveEntry> directives = streams.store(
                    StoreQueryParameters.fromNameAndType(Names.DIRECTIVES_STORE, QueryableStoreTypes.<String, DirectiveEntry>keyValueStore()));
            long now = System.currentTimeMillis();
            try (KeyValueIterator<String, DirectiveEntry> it = directives.all()) {
                while (it.hasNext()) {
                    if (it.next().value.scheduleDue(now)) {
                        return false;
                    }
                }
            }
            return true;
        } catch (InvalidStateStoreException notQueryable) {
            return false;
        }
    }

    /** Closes Kafka Streams, waiting at most {@code close.timeout.ms}. */
    @Override
    public void close() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
        if (opsServer != null) {
            opsServer.close();
        }
        if (!streams.close(Duration.ofMillis(closeTimeoutMs))) {
            LOG.warn("Kafka Streams did not shut down within {} ms", closeTimeoutMs);
        }
        if (ops != null) {
            ops.close();
        }
    }

    /** @return the metrics and health endpoint's base URI, when {@code ops.enabled} */
    public java.util.Optional<java.net.URI> opsUri() {
        return java.util.Optional.ofNullable(opsServer).map(OpsServer::baseUri);
    }
}
