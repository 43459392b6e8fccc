package dev.cordon.bench.internal;

import dev.cordon.bench.BenchCluster;

import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.bench.BenchTarget;
import dev.cordon.bench.Report;
import dev.cordon.bench.Report.Figure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** Issue 5 point 1: N active sessions, one directive covering all, timed from ingest's 202 to the last REVOKE. */
public final class FanOutBench {
    /** The resource every loaded session uses. */
    public static final String RESOURCE = "fable-5";

    private FanOutBench() {
    }

    /** What one run measured, for the growth summary. */
    public record Result(int sessions, double totalMs, double firstMs, double baselineMs, Report report) {
    }

    /**
     * Loads {@code n} STARTED sessions on {@link #RESOURCE} (none covered yet) and waits until the enforcement tasks have
     * consumed them all.
     *
     * @return elapsed ms from the first send until caught up
     */
    public static double loadSessions(BenchPipeline p, int n, String idPrefix) throws Exception {
        Instant at = Instant.now();
        long t0 = System.nanoTime();
        try (KafkaProducer<String, SessionEvent> producer = p.sessionProducer(5)) {
            String topic = p.topics().sessionEvents().name();
            for (int i = 0; i < n; i++) {
                String id = idPrefix + i;
                producer.send(new ProducerRecord<>(topic, id, Workload.event(id, SessionEventType.STARTED, RESOURCE, i, at)));
            }
            producer.flush();
        }
        awaitIdle(p, Duration.ofSeconds(60 + n / 5_000));
        return (System.nanoTime() - t0) / 1e6;
    }

    /** Waits until no sweep is in progress and the enforcement group has consumed every committed input record. */
    public static void awaitIdle(BenchPipeline p, Duration timeout) throws Exception {
        try (KafkaConsumer<byte[], byte[]> probe = KafkaTools.rawConsumer(p.cluster().clientConfig())) {
            var inputs = p.enforcementInputs();
            Waits.until("enforcement idle and caught up", timeout, () -> {
                try {
                    return p.enforcement().isIdle() && KafkaTools.caughtUp(p.admin(), probe, p.applicationId(), inputs);
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    /** Issues a directive on a resource no session uses and waits until it is applied: a warm directive path. */
    public static void warmUp(BenchPipeline p) throws Exception {
        p.issue(p.restrict("bench-warm-up", List.of("warm-up-resource"), null, List.of()));
        Waits.until("warm-up directive in the directives store", Duration.ofSeconds(30), () -> {
            try {
                return KafkaTools.endOffsets(p.admin(), List.of(p.topics().auditLog().name())).values().stream()
                        .mapToLong(Long::longValue).sum() > 0;
            } catch (Exception e) {
                return false;
            }
        });
        awaitIdle(p, Duration.ofSeconds(30));
    }

    /**
     * One fan-out run on a fresh pipeline on {@code target}.
     *
     * @param target   where to run (a fresh embedded stack, or fresh topics on an external cluster)
     * @param n        active sessions
     * @param tunings  baseline producer configurations to try (the fastest is the baseline)
     * @param progress progress lines (stderr)
     */
    public static Result run(BenchTarget target, int n, Map<String, Object> enforcementProps, List<BaselineProducer.Tuning> tunings,
                             Consumer<String> progress) throws Exception {
        Report.Builder rb = new Report.Builder(String.format("fan-out, N = %,d active sessions, 12 partitions", n));
        try (BenchPipeline p = BenchPipeline.start(new BenchPipeline.Options(target, 12, false, true, enforcementProps, progress))) {
            rb.note("target: " + p.cluster().describe());
            warmUp(p);
            double loadMs = loadSessions(p, n, "s-");
            progress.accept(String.format("loaded %,d sessions in %.0f ms", n, loadMs));

            List<String> all = p.runTopics();
            Map<TopicPartition, Long> before = KafkaTools.endOffsets(p.admin(), all);
            String commands = p.topics().revocationCommands().name();
            Map<TopicPartition, Long> from = new LinkedHashMap<>();
            before.forEach((tp, off) -> {
                if (tp.topic().equals(commands)) {
                    from.put(tp, off);
                }
            });
            double postMs;
            long accepted;
            double totalMs;
            double firstMs;
            try (CommandWatcher w = new CommandWatcher(p.cluster().clientConfig(), from, n, null).start()) {
                long posted = System.nanoTime();
                p.issue(p.restrict("bench-fan-out", List.of(RESOURCE), null, List.of()));
                accepted = System.nanoTime();
                postMs = (accepted - posted) / 1e6;
                Waits.until("all " + n + " REVOKE commands visible to read_committed", Duration.ofSeconds(60 + n / 2_000),
                        () -> w.targetNanos() != 0 || w.failure() != null);
                if (w.failure() != null) {
                    throw new IllegalStateException("command watcher failed", w.failure());
                }
                totalMs = (w.targetNanos() - accepted) / 1e6;
                firstMs = (w.firstNanos() - accepted) / 1e6;
            }
            awaitIdle(p, Duration.ofSeconds(120));
            Map<TopicPartition, Long> after = KafkaTools.endOffsets(p.admin(), all);
            Map<String, KafkaTools.Count> counts = KafkaTools.countBetween(p.cluster().clientConfig(), before, after);
            long records = 0;
            Map<String, BaselineProducer.Load> loads = new LinkedHashMap<>();
            for (var e : counts.entrySet()) {
                KafkaTools.Count c = e.getValue();
                if (c.records() == 0) {
                    continue;
                }
                records += c.records();
                int parts = KafkaTools.partitions(p.admin(), e.getKey());
                // key and value sizes: Cordon's keys are session ids (~8 bytes) or store keys; split the mean 10/90
                int mean = c.meanBytes();
                int key = Math.max(1, Math.min(16, mean / 10));
                loads.put(e.getKey(), new BaselineProducer.Load(parts, c.records(), key, Math.max(1, mean - key)));
                rb.note(String.format("wrote to `%s` (%d partitions): %,d records (%,d offsets incl. transaction markers), mean %d bytes",
                        e.getKey(), parts, c.records(), c.offsets(), mean));
            }
            long revokes = counts.getOrDefault(commands, new KafkaTools.Count(0, 0, 0)).records();
            progress.accept(String.format("fan-out: %,d commands in %.0f ms (first after %.0f ms); %,d records written", revokes,
                    totalMs, firstMs, records));

            double bestMs = Double.MAX_VALUE;
            BaselineProducer.Tuning best = null;
            int k = 0;
            for (BaselineProducer.Tuning t : tunings) {
                double ms = BaselineProducer.run(p.admin(), p.cluster().clientConfig(),
                        p.cluster().topicPrefix() + "bench-baseline-" + (k++) + "-", p.cluster().id(BenchCluster.Role.BASELINE),
                        loads, t, 100);
                rb.note(String.format("baseline producer %s: %,d records in %.0f ms = %,.0f records/s", t, records, ms, records / ms * 1000));
                progress.accept(String.format("baseline %s: %.0f ms", t, ms));
                if (ms < bestMs) {
                    bestMs = ms;
                    best = t;
                }
            }
            double ratio = bestMs / totalMs;
            String bn = "txn producer, same " + Report.num(records) + " records, " + best;
            rb.add(new Figure("time from 202 to last REVOKE visible", totalMs, "ms", bestMs, bn, ratio, "", ""));
            rb.add(new Figure("fan-out rate vs best transactional producer (baseline time / our time)", n / totalMs * 1000,
                    "revocations/s", n / bestMs * 1000, bn, ratio, ">= 0.6", "").withTarget(">= 0.6 x baseline", ratio >= 0.6));
            rb.add(new Figure("records written per second during the fan-out", records / totalMs * 1000, "records/s",
                    records / bestMs * 1000, bn, ratio, "", ""));
            Figure first = Figure.plain("directive (202) to first REVOKE visible", firstMs, "ms").withTarget("<= 300 ms", firstMs <= 300);
            rb.add(first);
            rb.add(Figure.plain("write amplification (records written / revocation)", (double) records / n, "records"));
            rb.add(Figure.plain("REVOKE commands counted", revokes, "commands").withTarget("= N", revokes == n));
            if (n == 100_000) {
                rb.add(Figure.plain("100,000 sessions fully revoked", totalMs, "ms").withTarget("<= 500 ms", totalMs <= 500));
            } else if (n == 1_000_000) {
                rb.add(Figure.plain("1,000,000 sessions fully revoked", totalMs, "ms").withTarget("<= 5,000 ms", totalMs <= 5000));
            }
            rb.add(Figure.plain("ingest POST /v1/directives answered (202)", postMs, "ms"));
            rb.add(Figure.plain("session ingestion (STARTED, producer to enforcement caught up)", n / loadMs * 1000, "events/s")
                    .withTarget(">= 150,000 events/s", n / loadMs * 1000 >= 150_000));
            rb.note("enforcement settings: " + (enforcementProps.isEmpty() ? "Cordon defaults" : enforcementProps.toString())
                    + "; audit-sink not running; one warm-up directive (on a resource no session uses) before the measured one");
            return new Result(n, totalMs, firstMs, bestMs, rb.build());
        }
    }

    /** The growth summary over several N: time per session should stay flat (linear growth). */
    public static Report growth(List<Result> results) {
        Report.Builder rb = new Report.Builder("fan-out: growth with N");
        Result smallest = results.get(0);
        for (Result r : results) {
            double usPer = r.totalMs() * 1000 / r.sessions();
            double ref = smallest.totalMs() * 1000 / smallest.sessions();
            rb.add(new Figure(String.format("N = %,d: time per session (ratio: smallest N's time per session / this one's)", r.sessions()),
                    usPer, "µs", ref, "N = " + Report.num(smallest.sessions()), ref / usPer, "", ""));
        }
        rb.note("linear growth keeps time per session flat (ratio near 1); ratio > 1 means fixed costs amortised at larger N");
        return rb.build();
    }

    static List<Integer> parseSizes(String s) {
        List<Integer> out = new ArrayList<>();
        for (String part : s.split(",")) {
            out.add(Integer.parseInt(part.trim().replace("_", "")));
        }
        return out;
    }
}
