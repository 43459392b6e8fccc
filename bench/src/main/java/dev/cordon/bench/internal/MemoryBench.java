package dev.cordon.bench.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.avro.Subject;
import dev.cordon.bench.BenchTarget;
import dev.cordon.bench.Report;
import dev.cordon.bench.Report.Figure;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Issue 5 point 7: heap after GC and RocksDB disk with N active sessions in the running pipeline (this JVM:
 * enforcement-stream, ingest and, on the embedded stack, broker and registry). Baseline: the same measures on the same
 * pipeline before the sessions arrive.
 */
public final class MemoryBench {
    private MemoryBench() {
    }

    /**
     * One memory run on a fresh pipeline on {@code target}.
     *
     * @param n active sessions loaded, at least 1
     * @return the report: heap (MiB) and RocksDB disk (MiB) beside the same before the sessions, per-session bytes, RSS,
     *         and three preview times (ms): everyone on the resource twice, then a scope with a condition and an
     *         exempt group
     * @throws Exception when the pipeline does not start, a wait times out or a preview is not answered within 120 s
     */
    public static Report run(BenchTarget target, int n, Map<String, Object> enforcementProps, Consumer<String> progress)
            throws Exception {
        Report.Builder rb = new Report.Builder(String.format("memory and disk, N = %,d active sessions", n));
        try (BenchPipeline p = BenchPipeline.start(new BenchPipeline.Options(target, 12, false, true, enforcementProps, progress))) {
            rb.note("target: " + p.cluster().describe());
            FanOutBench.warmUp(p);
            Path state = p.cluster().dataDir().resolve("streams");
            long heap0 = heapAfterGc();
            long disk0 = size(state);
            long rss0 = rss();
            double loadMs = FanOutBench.loadSessions(p, n, "s-");
            progress.accept(String.format("loaded %,d sessions in %.0f ms", n, loadMs));
            // under exactly-once Streams never flushes memtables on commit: up to rocksdb.write.buffer.bytes of the
            // sessions stay in memory (in RSS, not on disk) — at 100k sessions the disk figure is ~0, at 1M it is not
            FanOutBench.awaitIdle(p, java.time.Duration.ofSeconds(60));
            long heap1 = heapAfterGc();
            long disk1 = size(state);
            long rss1 = rss();
            rb.add(new Figure("heap used after GC (whole JVM)", heap1 / 1048576.0, "MiB", heap0 / 1048576.0, "same JVM before the sessions",
                    (double) heap1 / heap0, "", ""));
            rb.add(Figure.plain("heap per active session", (heap1 - heap0) / (double) n, "bytes"));
            rb.add(new Figure("RocksDB state directory on disk (SST files; memtables are in RSS)", disk1 / 1048576.0, "MiB", disk0 / 1048576.0, "before the sessions",
                    disk0 == 0 ? Double.NaN : (double) disk1 / disk0, "", ""));
            rb.add(Figure.plain("disk per active session", (disk1 - disk0) / (double) n, "bytes"));
            rb.add(new Figure(p.cluster().embedded() ? "process RSS (heap + RocksDB off-heap + broker)"
                    : "process RSS (heap + RocksDB off-heap; the broker is external)", rss1 / 1048576.0, "MiB", rss0 / 1048576.0,
                    "before the sessions", (double) rss1 / rss0, "", ""));
            // issue 6 §5: the blast radius of a directive over all N live sessions, computed by the enforcement stream
            // twice: the first is the first over real sessions in this JVM (the enforcement app warmed the counting code
            // up at start on synthetic ones), the second is what an operator previewing again sees; the target is
            // judged on each
            for (String which : List.of("first", "second")) {
                BenchPipeline.Preview preview = p.preview(p.restrict("bench-preview-" + which, List.of(FanOutBench.RESOURCE), null,
                        List.of()), java.time.Duration.ofSeconds(120));
                long covered = preview.report().path("covered").asLong(-1);
                progress.accept(String.format("%s preview over %,d sessions: %.0f ms, covered %,d", which, n, preview.ms(), covered));
                rb.add(Figure.plain(which + " preview (POST /v1/directives:preview → 200 with the aggregated report)", preview.ms(), "ms")
                        .withTarget("<= 2,000 ms", preview.ms() <= 2_000));
                rb.add(Figure.plain("sessions the " + which + " preview counted as covered", covered, "sessions")
                        .withTarget("= N", covered == n));
            }
            // the same over a scope that makes every session's subject be read and matched: the demo's phase 1 shape
            // (nationality NOT_IN [US]) with a role exempt
            ObjectNode doc = p.restrict("bench-preview-conditions", List.of(FanOutBench.RESOURCE),
                    null, List.of());
            ObjectNode scope = (ObjectNode) doc.get("scope");
            ObjectNode nationality = scope.putArray("subjects").addObject().putArray("all").addObject();
            nationality.put("attribute", "nationality").put("op", "NOT_IN").putArray("values").add("US");
            ObjectNode role = scope.putArray("exempt").addObject().putArray("all").addObject();
            role.put("attribute", "role").put("op", "IN").putArray("values").add("employee");
            BenchPipeline.Preview conditional = p.preview(doc, java.time.Duration.ofSeconds(120));
            long coveredConditional = conditional.report().path("covered").asLong(-1);
            long expected = 0;
            for (long i = 0; i < n; i++) { // the loaded sessions' subjects (Workload, user i for session i)
                Subject subject = Workload.subject(i);
                expected += !subject.getNationality().contains("US") && !subject.getRole().contains("employee") ? 1 : 0;
            }
            progress.accept(String.format("preview with conditions over %,d sessions: %.0f ms, covered %,d (expected %,d)", n,
                    conditional.ms(), coveredConditional, expected));
            rb.add(Figure.plain("preview with conditions (nationality NOT_IN [US], role employee exempt)", conditional.ms(), "ms")
                    .withTarget("<= 2,000 ms", conditional.ms() <= 2_000));
            rb.add(Figure.plain("sessions the preview with conditions counted as covered", coveredConditional, "sessions")
                    .withTarget("= " + String.format("%,d", expected) + " (from the loaded subjects)", coveredConditional == expected));
            rb.note("heap max " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax() / 1048576 + " MiB; per-store disk: "
                    + perStore(state));
            rb.note(p.cluster().embedded() ? "the embedded broker's own heap (log indexes, producer state) is in this JVM too"
                    : "the broker and registry are external: their memory is not in these figures");
            return rb.build();
        }
    }

    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100); // lets finalisation and concurrent phases run between full collections
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long size(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    static String perStore(Path state) throws Exception {
        Map<String, Long> by = new TreeMap<>();
        if (Files.exists(state)) {
            try (var files = Files.walk(state)) {
                files.filter(Files::isRegularFile).forEach(f -> {
                    Path rel = state.relativize(f);
                    // <app>/<task>/rocksdb/<store>/...
                    String store = rel.getNameCount() > 3 && rel.getName(2).toString().equals("rocksdb") ? rel.getName(3).toString() : "other";
                    by.merge(store, f.toFile().length(), Long::sum);
                });
            }
        }
        StringBuilder sb = new StringBuilder();
        by.forEach((k, v) -> sb.append(k).append(' ').append(String.format("%.1f MiB", v / 1048576.0)).append("; "));
        return sb.toString();
    }

    static long rss() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElse(-1L);
    }
}
