package dev.cordon.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.util.Objects;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;

/**
 * Metrics and health checks of a {@link KafkaStreams} instance (needs kafka-streams on the class path; the ops
 * module declares it optional). Stream thread states are those of {@code StreamThread.State}: a thread that died
 * of an uncaught exception is {@code DEAD} (or replaced, with {@code REPLACE_THREAD}); the client goes to
 * {@code ERROR} when its last thread dies or the handler answers {@code SHUTDOWN_CLIENT}.
 */
public final class KafkaStreamsOps {
    private KafkaStreamsOps() {
    }

    /**
     * Binds Micrometer's {@link KafkaStreamsMetrics} (all client, consumer — including
     * {@code kafka_consumer_fetch_manager_records_lag_max} —, producer and stream metrics) and the gauges
     * {@link MetricNames#STREAMS_RUNNING} and {@link MetricNames#STREAMS_ALIVE_THREADS}.
     *
     * @param metrics where to bind; the binder is closed with it
     * @param streams the instance (created, started or not)
     */
    public static void bind(OpsMetrics metrics, KafkaStreams streams) {
        Objects.requireNonNull(streams, "streams");
        metrics.bind(new KafkaStreamsMetrics(streams));
        Gauge.builder(MetricNames.STREAMS_RUNNING, streams, s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 when the Kafka Streams client is RUNNING").register(metrics.registry());
        Gauge.builder(MetricNames.STREAMS_ALIVE_THREADS, streams, s -> aliveThreads(s))
                .description("stream threads that are neither DEAD nor PENDING_SHUTDOWN").register(metrics.registry());
    }

    /**
     * Liveness: down when the client is {@code ERROR} or {@code PENDING_ERROR} (every thread died, or
     * {@code SHUTDOWN_CLIENT}), or {@code NOT_RUNNING} / {@code PENDING_SHUTDOWN} (closed): restarting the process
     * is the fix. {@code CREATED}, {@code REBALANCING} and {@code RUNNING} are live.
     */
    public static HealthCheck liveness(String name, KafkaStreams streams) {
        return new HealthCheck(name, () -> {
            KafkaStreams.State s = streams.state();
            return switch (s) {
                case CREATED, REBALANCING, RUNNING -> HealthCheck.Result.up("state " + s);
                default -> HealthCheck.Result.down("state " + s);
            };
        });
    }

    /**
     * Readiness: up only while the client is {@code RUNNING} and at least {@code expectedThreads} stream threads
     * are alive (a dead thread not replaced means its tasks wait for a rebalance).
     *
     * @param expectedThreads {@code num.stream.threads} of the instance
     */
    public static HealthCheck readiness(String name, KafkaStreams streams, int expectedThreads) {
        return new HealthCheck(name, () -> {
            KafkaStreams.State s = streams.state();
            if (s != KafkaStreams.State.RUNNING) {
                return HealthCheck.Result.down("state " + s + " (ready only when RUNNING)");
            }
            int alive = aliveThreads(streams);
            if (alive < expectedThreads) {
                return HealthCheck.Result.down(alive + " of " + expectedThreads + " stream threads alive");
            }
            return HealthCheck.Result.up("RUNNING, " + alive + " stream threads alive");
        });
    }

    /** @return stream threads of this client that are neither {@code DEAD} nor {@code PENDING_SHUTDOWN} */
    public static int aliveThreads(KafkaStreams streams) {
        int alive = 0;
        try {
            for (ThreadMetadata t : streams.metadataForLocalThreads()) {
                String st = t.threadState();
                if (!"DEAD".equals(st) && !"PENDING_SHUTDOWN".equals(st)) {
                    alive++;
                }
            }
        } catch (RuntimeException e) {
            return 0; // e.g. the client is closing
        }
        return alive;
    }
}
