package dev.cordon.bench;

import dev.cordon.bench.internal.AuditBench;
import dev.cordon.bench.internal.BaselineProducer;
import dev.cordon.bench.internal.FanOutBench;
import dev.cordon.bench.internal.LatencyBench;
import dev.cordon.bench.internal.MemoryBench;
import dev.cordon.bench.internal.MicroBench;
import dev.cordon.bench.internal.PeerBench;
import dev.cordon.bench.internal.ThroughputBench;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The benchmarks of issue 5, each reporting its figures beside a baseline measured in the same run. Each run happens on
 * a {@link BenchTarget}: by default a fresh embedded stack in this JVM (broker, schema registry, PostgreSQL for the audit
 * one); with {@link BenchTarget#external} fresh, uniquely named topics, groups (and, for audit, a database schema) on an
 * external cluster, deleted again when the run ends. The methods without a target use the embedded stack. Progress lines
 * go to {@code progress} (the CLI prints them on stderr). Every method throws {@code Exception} when the pipeline does
 * not start or a wait times out (the message names what was awaited).
 */
public final class Benchmarks {
    /** Baseline producer configurations tried for the fan-out (batch.size bytes, linger.ms). */
    public static final List<int[]> BASELINE_TUNINGS = List.of(new int[] {16_384, 5}, new int[] {262_144, 5}, new int[] {1_048_576, 20});

    private Benchmarks() {
    }

    /**
     * Fan-out (issue 5 point 1) at each N, then the growth summary.
     *
     * @param sizes            active sessions per run, e.g. 10,000 and 100,000
     * @param enforcementProps extra enforcement-stream keys (e.g. {@code streams.commit.interval.ms}); empty for defaults
     */
    public static List<Report> fanOut(List<Integer> sizes, Map<String, Object> enforcementProps, Consumer<String> progress) throws Exception {
        return fanOut(BenchTarget.embedded(), sizes, enforcementProps, progress);
    }

    /**
     * Fan-out (issue 5 point 1) at each N on {@code target} (a fresh cluster per N), then the growth summary.
     *
     * @param sizes            active sessions per run, e.g. 10,000 and 100,000
     * @param enforcementProps extra enforcement-stream keys (e.g. {@code streams.commit.interval.ms}); empty for defaults
     * @return one report per N, then the growth report when there are several N
     */
    public static List<Report> fanOut(BenchTarget target, List<Integer> sizes, Map<String, Object> enforcementProps,
                                      Consumer<String> progress) throws Exception {
        List<BaselineProducer.Tuning> tunings = new ArrayList<>();
        BASELINE_TUNINGS.forEach(t -> tunings.add(new BaselineProducer.Tuning(t[0], t[1])));
        List<Report> out = new ArrayList<>();
        List<FanOutBench.Result> results = new ArrayList<>();
        for (int n : sizes) {
            FanOutBench.Result r = FanOutBench.run(target, n, enforcementProps, tunings, progress);
            results.add(r);
            out.add(r.report());
        }
        if (results.size() > 1) {
            out.add(FanOutBench.growth(results));
        }
        return out;
    }

    /** Session throughput (issue 5 point 2) over {@code events} events. */
    public static Report sessions(int events, Map<String, Object> enforcementProps, Consumer<String> progress) throws Exception {
        return sessions(BenchTarget.embedded(), events, enforcementProps, progress);
    }

    /** Session throughput (issue 5 point 2) over {@code events} events on {@code target}. */
    public static Report sessions(BenchTarget target, int events, Map<String, Object> enforcementProps, Consumer<String> progress)
            throws Exception {
        return ThroughputBench.run(target, events, enforcementProps, progress);
    }

    /**
     * Decision latency (issue 5 point 3) at {@code rate} events/s for {@code seconds}, with Cordon's default commit
     * interval and with each of {@code tunedCommitMs}.
     */
    public static Report latency(int rate, int seconds, List<Long> tunedCommitMs, Consumer<String> progress) throws Exception {
        return latency(BenchTarget.embedded(), rate, seconds, tunedCommitMs, progress);
    }

    /**
     * Decision latency (issue 5 point 3) on {@code target} (a fresh cluster per commit interval) at {@code rate}
     * events/s for {@code seconds}, with Cordon's default commit interval and with each of {@code tunedCommitMs}.
     */
    public static Report latency(BenchTarget target, int rate, int seconds, List<Long> tunedCommitMs, Consumer<String> progress)
            throws Exception {
        List<LatencyBench.Result> results = new ArrayList<>();
        results.add(LatencyBench.run(target, rate, seconds, null, progress));
        for (Long ms : tunedCommitMs) {
            results.add(LatencyBench.run(target, rate, seconds, ms, progress));
        }
        return LatencyBench.report(rate, seconds, results);
    }

    /** Audit sink and verify rates (issue 5 point 4) over {@code entries} entries. */
    public static Report audit(int entries, Consumer<String> progress) throws Exception {
        return audit(BenchTarget.embedded(), entries, progress);
    }

    /**
     * Audit sink and verify rates (issue 5 point 4) over {@code entries} entries on {@code target}; an external target
     * needs a database ({@link BenchTarget.External#jdbcUrl()}), in which the run creates and drops a schema of its own.
     *
     * @throws IllegalStateException when an external target has no database
     */
    public static Report audit(BenchTarget target, int entries, Consumer<String> progress) throws Exception {
        return AuditBench.run(target, entries, progress);
    }

    /** The KIP-213 foreign-key-join peer at N (issue 5 point 5), beside Cordon's fan-out at the same N. */
    public static List<Report> peer(int n, Consumer<String> progress) throws Exception {
        return peer(BenchTarget.embedded(), n, progress);
    }

    /**
     * The KIP-213 foreign-key-join peer at N (issue 5 point 5) beside Cordon's fan-out at the same N, each on a fresh
     * cluster of {@code target}.
     *
     * @return the comparison, the peer's report, Cordon's fan-out report
     */
    public static List<Report> peer(BenchTarget target, int n, Consumer<String> progress) throws Exception {
        Report peer = PeerBench.run(target, n, progress);
        FanOutBench.Result ours = FanOutBench.run(target, n, new HashMap<>(), List.of(new BaselineProducer.Tuning(262_144, 5)), progress);
        Report.Builder rb = new Report.Builder(String.format("Cordon vs the KIP-213 foreign-key-join peer, N = %,d", n));
        double peerMs = peer.figures().get(0).value();
        rb.add(new Report.Figure("Cordon: revocations/s", n / ours.totalMs() * 1000, "revocations/s", n / peerMs * 1000,
                "KIP-213 FK join, same N", peerMs / ours.totalMs(), "", ""));
        rb.add(new Report.Figure("Cordon: directive to first revocation", ours.firstMs(), "ms", peer.figures().get(2).value(),
                "KIP-213 FK join", peer.figures().get(2).value() / ours.firstMs(), "", ""));
        rb.note("ratio = peer time / Cordon time (above 1: Cordon faster); Cordon's time starts at ingest's 202, the peer's at "
                + "the directive record's ack");
        return List.of(rb.build(), peer, ours.report());
    }

    /** JMH micro benchmarks (issue 5 point 6), in forked JVMs on this machine; no cluster is involved. */
    public static Report micro(int forks, int warmups, int iterations) throws Exception {
        return MicroBench.run(forks, warmups, iterations);
    }

    /**
     * Heap after GC and RocksDB disk at N active sessions (issue 5 point 7), and the time of a preview over them
     * (issue 6 §5: within 2 s at 1,000,000 sessions).
     */
    public static Report memory(int n, Map<String, Object> enforcementProps, Consumer<String> progress) throws Exception {
        return memory(BenchTarget.embedded(), n, enforcementProps, progress);
    }

    /**
     * Heap after GC and RocksDB disk at N active sessions on {@code target} (issue 5 point 7), and the time of a preview
     * over them. On an external cluster the broker's memory is not in the process figures.
     */
    public static Report memory(BenchTarget target, int n, Map<String, Object> enforcementProps, Consumer<String> progress)
            throws Exception {
        return MemoryBench.run(target, n, enforcementProps, progress);
    }
}
