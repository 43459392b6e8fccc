package dev.cordon.bench.internal;

import dev.cordon.bench.Report;
import dev.cordon.bench.Report.Figure;
import dev.cordon.bench.micro.HasherBenchmark;
import dev.cordon.bench.micro.ScopeMatcherBenchmark;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Issue 5 point 6: JMH (one fork, 3 × 1 s warm-up, 5 × 1 s measurement) for the scope matcher and the hashers. */
public final class MicroBench {
    private MicroBench() {
    }

    public static Report run(int forks, int warmups, int iterations) throws Exception {
        Options opt = new OptionsBuilder()
                .include(ScopeMatcherBenchmark.class.getName())
                .include(HasherBenchmark.class.getName())
                .forks(forks).warmupIterations(warmups).warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Xmx512m").shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(opt).run();
        Map<String, double[]> by = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            by.put(name, new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
        }
        Report.Builder rb = new Report.Builder("micro (JMH, ns per operation, average time)");
        pair(rb, by, "matchOneSessionAgainstOneDirective", "baselineDecodeOneStoredSession",
                "scope matcher: one session x one directive", "Avro decode of one stored session");
        pair(rb, by, "entryChainHash", "baselineSha256OfSameEntryBytes", "audit entry chain hash (layout + SHA-256)",
                "JDK SHA-256 of the same bytes");
        pair(rb, by, "rfc6962LeafHash", "baselineSha256Of33Bytes", "RFC 6962 leaf hash", "JDK SHA-256 of 33 bytes");
        pair(rb, by, "rfc6962NodeHash", "baselineSha256Of65Bytes", "RFC 6962 node hash", "JDK SHA-256 of 65 bytes");
        rb.note(String.format("JMH 1.37, %d fork(s), %d x 1 s warm-up, %d x 1 s measurement; ratio = baseline / ours "
                + "(below 1: ours costs more than the baseline)", forks, warmups, iterations));
        for (var e : by.entrySet()) {
            rb.note(String.format("%s: %.1f ± %.1f ns/op", e.getKey(), e.getValue()[0], e.getValue()[1]));
        }
        return rb.build();
    }

    private static void pair(Report.Builder rb, Map<String, double[]> by, String ours, String base, String label, String baseLabel) {
        double[] o = by.get(ours);
        double[] b = by.get(base);
        if (o == null || b == null) {
            return;
        }
        rb.add(new Figure(label, o[0], "ns", b[0], baseLabel, b[0] / o[0], "", ""));
    }
}
