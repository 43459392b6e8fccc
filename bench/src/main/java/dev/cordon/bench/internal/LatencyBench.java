package dev.cordon.bench.internal;

import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.bench.BenchTarget;
import dev.cordon.bench.Report;
import dev.cordon.bench.Report.Figure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Issue 5 point 3: at a fixed offered load, the time from producing a covered STARTED to its DENY being visible to a
 * read_committed consumer (HdrHistogram, µs), with a given commit interval. One event in ten is a covered STARTED;
 * the rest are uncovered starts, heartbeats and ends (the throughput mix).
 */
public final class LatencyBench {
    private LatencyBench() {
    }

    /**
     * Percentiles of one run, ms.
     *
     * @param target what the run ran on ({@link dev.cordon.bench.BenchCluster#describe()})
     */
    public record Result(String label, long samples, double p50, double p99, double p999, double max, double offered,
                         String target) {
    }

    /**
     * One latency run on a fresh pipeline on {@code target}.
     *
     * @param target    where to run (a fresh embedded stack, or fresh topics on an external cluster)
     * @param rate      offered events/s
     * @param seconds   measured seconds (after a warm-up of a quarter of it, not recorded)
     * @param commitMs  {@code commit.interval.ms} of the enforcement stream, or {@code null} for Cordon's default
     */
    public static Result run(BenchTarget target, int rate, int seconds, Long commitMs, Consumer<String> progress) throws Exception {
        Map<String, Object> props = new HashMap<>();
        if (commitMs != null) {
            props.put("streams.commit.interval.ms", commitMs);
        }
        try (BenchPipeline p = BenchPipeline.start(new BenchPipeline.Options(target, 12, false, true, props, progress))) {
            p.issue(p.restrict("bench-latency", List.of("restricted-model"), null, List.of()));
            FanOutBench.awaitIdle(p, Duration.ofSeconds(60));
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            Histogram hist = new Histogram(60_000_000L, 3);
            Map<TopicPartition, Long> from = new HashMap<>(KafkaTools.endOffsets(p.admin(), List.of(p.topics().revocationCommands().name())));
            long warmUntil = System.nanoTime() + seconds * 250_000_000L;
            long[] recorded = new long[1];
            ThroughputBench.Mix mix = new ThroughputBench.Mix("s-");
            try (CommandWatcher w = new CommandWatcher(p.cluster().clientConfig(), from, Long.MAX_VALUE, (r, now) -> {
                Long t = sentAt.remove(new String(r.key(), StandardCharsets.UTF_8));
                if (t != null && t > warmUntil) {
                    synchronized (hist) {
                        hist.recordValue(Math.max(1, (now - t) / 1000));
                        recorded[0]++;
                    }
                }
            }).start(); KafkaProducer<String, SessionEvent> producer = p.sessionProducer(1)) {
                String topic = p.topics().sessionEvents().name();
                long total = (long) rate * seconds * 5 / 4;
                long intervalNs = 1_000_000_000L / rate;
                long t0 = System.nanoTime();
                long covered = 0;
                for (long i = 0; i < total; i++) {
                    long due = t0 + i * intervalNs;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    SessionEvent e;
                    if (i % 10 == 0) {
                        String id = "covered-" + i;
                        e = Workload.event(id, SessionEventType.STARTED, "restricted-model", i, Instant.now());
                        covered++;
                        sentAt.put(id, System.nanoTime());
                    } else {
                        e = mix.next(Instant.now());
                    }
                    producer.send(new ProducerRecord<>(topic, e.getSessionId(), e));
                }
                double offered = total / ((System.nanoTime() - t0) / 1e9);
                long expected = covered;
                Waits.until("every DENY seen", Duration.ofSeconds(60), () -> sentAt.isEmpty() || w.failure() != null);
                progress.accept(String.format("latency run (commit.interval.ms=%s): %,d covered STARTED, %,d recorded, offered %.0f events/s",
                        commitMs == null ? "default" : commitMs, expected, recorded[0], offered));
                synchronized (hist) {
                    return new Result(commitMs == null ? "Cordon default commit.interval.ms (100)" : "commit.interval.ms=" + commitMs,
                            hist.getTotalCount(), hist.getValueAtPercentile(50) / 1000.0, hist.getValueAtPercentile(99) / 1000.0,
                            hist.getValueAtPercentile(99.9) / 1000.0, hist.getMaxValue() / 1000.0, offered, p.cluster().describe());
                }
            }
        }
    }

    public static Report report(int rate, int seconds, List<Result> results) {
        Report.Builder rb = new Report.Builder(String.format("decision latency at %,d events/s offered, STARTED produced to DENY visible (read_committed)", rate));
        Result base = results.get(0);
        for (Result r : results) {
            rb.add(new Figure(r.label() + ": p50", r.p50(), "ms", base.p50(), base.label(), base.p50() / r.p50(), "", ""));
            rb.add(new Figure(r.label() + ": p99", r.p99(), "ms", base.p99(), base.label(), base.p99() / r.p99(), "", "")
                    .withTarget("p99 <= 250 ms", r.p99() <= 250));
            rb.add(new Figure(r.label() + ": p99.9", r.p999(), "ms", base.p999(), base.label(), base.p999() / r.p999(), "", ""));
            rb.add(Figure.plain(r.label() + ": max", r.max(), "ms"));
            rb.note(String.format("%s: %,d samples, offered %.0f events/s over %d s after a %d s warm-up; target: %s", r.label(),
                    r.samples(), r.offered(), seconds, seconds / 4, r.target()));
        }
        rb.note("one event in ten is a covered STARTED (a new session on a restricted resource: DENY); producer linger.ms=1; "
                + "ratio = default's percentile / this run's (> 1: faster than the default)");
        return rb.build();
    }
}
