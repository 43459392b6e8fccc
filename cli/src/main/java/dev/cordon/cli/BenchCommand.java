package dev.cordon.cli;

import dev.cordon.bench.Benchmarks;
import dev.cordon.bench.Report;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cordon bench fanout|sessions|latency|audit|peer|micro|memory}: the benchmarks of issue 5 on the embedded stack,
 * each printing its figures beside a baseline from the same run, as Markdown (stdout). Progress and the machine's
 * load average go to stderr.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks (issue 5): each figure beside a baseline measured in the same run. See BENCHMARKS.md.",
        subcommands = {BenchCommand.FanOut.class, BenchCommand.Sessions.class, BenchCommand.Latency.class,
                BenchCommand.Audit.class, BenchCommand.Peer.class, BenchCommand.Micro.class, BenchCommand.Memory.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every benchmark shares. */
    static final class Common {
        @Option(names = "--markdown", description = "Also append the report to this Markdown file.")
        Path markdown;

        @Option(names = "--set", description = "Extra enforcement-stream key=value (e.g. streams.commit.interval.ms=20); repeatable.")
        Map<String, String> set = new HashMap<>();

        Map<String, Object> enforcementProps() {
            return new HashMap<>(set);
        }
    }

    abstract static class Base implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract List<Report> measure(Consumer<String> progress) throws Exception;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            Consumer<String> progress = line -> {
                err.println("bench: " + line + "   [loadavg " + loadAvg() + "]");
                err.flush();
            };
            String before = loadAvg();
            long t0 = System.nanoTime();
            List<Report> reports = measure(progress);
            StringBuilder md = new StringBuilder();
            for (Report r : reports) {
                md.append(r.toMarkdown()).append('\n');
            }
            md.append(String.format("_machine: %d cores, %s MiB max heap, JDK %s; load average before %s, after %s; %.0f s_%n%n",
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / 1048576,
                    System.getProperty("java.version"), before, loadAvg(), (System.nanoTime() - t0) / 1e9));
            PrintWriter out = spec.commandLine().getOut();
            out.print(md);
            out.flush();
            if (common.markdown != null) {
                Files.writeString(common.markdown, md, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            boolean anyNotMet = reports.stream().flatMap(r -> r.figures().stream()).anyMatch(f -> "not met".equals(f.met()));
            err.println(anyNotMet ? "bench: some targets not met (see the table)" : "bench: every target in this run met");
            return 0;
        }
    }

    static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /**
     * Parses {@code --sessions}: comma-separated counts, each a whole number with an optional {@code k} (×1,000) or
     * {@code m} (×1,000,000) suffix.
     *
     * @throws IllegalArgumentException (exit code 2) naming the part that is not a count, is below 1 or is above
     *                                  {@link Integer#MAX_VALUE}
     */
    static List<Integer> sizes(String s) {
        List<Integer> out = new ArrayList<>();
        for (String part : s.split(",")) {
            String p = part.trim().toLowerCase(java.util.Locale.ROOT).replace("_", "");
            int mult = p.endsWith("k") ? 1_000 : p.endsWith("m") ? 1_000_000 : 1;
            if (mult > 1) {
                p = p.substring(0, p.length() - 1);
            }
            if (!p.matches("[+-]?\\d+")) {
                throw new IllegalArgumentException("--sessions: `" + part.trim() + "` is not a count (e.g. 10000, 100k, 1m)");
            }
            java.math.BigInteger n = new java.math.BigInteger(p).multiply(java.math.BigInteger.valueOf(mult));
            if (n.signum() < 1) {
                throw new IllegalArgumentException("--sessions: `" + part.trim() + "` must be at least 1");
            }
            if (n.bitLength() > 31) {
                throw new IllegalArgumentException("--sessions: `" + part.trim() + "` is too large (at most "
                        + Integer.MAX_VALUE + ")");
            }
            out.add(n.intValueExact());
        }
        return out;
    }

    /**
     * @return {@code value}, when it is at least 1
     * @throws IllegalArgumentException (exit code 2) naming {@code option} otherwise
     */
    static int atLeastOne(String option, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + ": `" + value + "` must be at least 1");
        }
        return value;
    }

    @Command(name = "fanout", mixinStandardHelpOptions = true,
            description = "N active sessions over 12 partitions, one directive covering all: 202 to last REVOKE, vs a transactional producer.")
    static final class FanOut extends Base {
        @Option(names = "--sessions", defaultValue = "10k,100k", description = "Comma-separated N (10k, 100k, 1m). Default: ${DEFAULT-VALUE}.")
        String sessions;

        @Override
        List<Report> measure(Consumer<String> progress) throws Exception {
            return Benchmarks.fanOut(sizes(sessions), common.enforcementProps(), progress);
        }
    }

    @Command(name = "sessions", mixinStandardHelpOptions = true,
            description = "Session events/s (70/20/10 heartbeat/start/end, 5 directives) vs a transactional pass-through.")
    static final class Sessions extends Base {
        @Option(names = "--events", defaultValue = "300000", description = "Events timed. Default: ${DEFAULT-VALUE}.")
        int events;

        @Override
        List<Report> measure(Consumer<String> progress) throws Exception {
            return List.of(Benchmarks.sessions(atLeastOne("--events", events), common.enforcementProps(), progress));
        }
    }

    @Command(name = "latency", mixinStandardHelpOptions = true,
            description = "STARTED-to-DENY latency percentiles at a fixed offered load, default vs tuned commit interval.")
    static final class Latency extends Base {
        @Option(names = "--rate", defaultValue = "5000", description = "Offered events/s. Default: ${DEFAULT-VALUE}.")
        int rate;

        @Option(names = "--seconds", defaultValue = "20", description = "Measured seconds per run. Default: ${DEFAULT-VALUE}.")
        int seconds;

        @Option(names = "--tuned-commit-ms", defaultValue = "20", split = ",",
                description = "Tuned commit.interval.ms values. Default: ${DEFAULT-VALUE}.")
        List<Long> tuned;

        @Override
        List<Report> measure(Consumer<String> progress) throws Exception {
            return List.of(Benchmarks.latency(atLeastOne("--rate", rate), atLeastOne("--seconds", seconds), tuned, progress));
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = "Audit sink entries/s and verify entries/s vs plain batched INSERTs / SELECT of the same rows.")
    static final class Audit extends Base {
        @Option(names = "--entries", defaultValue = "100000", description = "Entries. Default: ${DEFAULT-VALUE}.")
        int entries;

        @Override
        List<Report> measure(Consumer<String> progress) throws Exception {
            return List.of(Benchmarks.audit(atLeastOne("--entries", entries), progress));
        }
    }

    @Command(name = "peer", mixinStandardHelpOptions = true,
            description = "The fan-out as a KIP-213 foreign-key join, beside Cordon's at the same N.")
    static final class Peer extends Base {
        @Option(names = "--sessions", defaultValue = "100k", description = "N. Default: ${DEFAULT-VALUE}.")
        String sessions;

        @Override
        List<Report> measure(Consumer<String> progress) throws Exception {
            return Benchmarks.peer(sizes(sessions).get(0), progress);
        }
    }

    @Command(name = "micro", mixinStandardHelpOptions = true, description = "JMH: scope matcher and hashers.")
    static final class Micro extends Base {
        @Option(names = "--forks", defaultValue = "1")
        int forks;

        @Option(names = "--warmups", defaultValue = "3")
        int warmups;

        @Option(names = "--iterations", defaultValue = "5")
        int iterations;

        @Override
        List<Report> measure(Consumer<String> progress) throws Exception {
            return List.of(Benchmarks.micro(forks, warmups, iterations));
        }
    }

    @Command(name = "memory", mixinStandardHelpOptions = true,
            description = "Heap after GC and RocksDB disk at N active sessions, and a preview (blast radius) over them.")
    static final class Memory extends Base {
        @Option(names = "--sessions", defaultValue = "100k", description = "N (1m for the issue's figure). Default: ${DEFAULT-VALUE}.")
        String sessions;

        @Override
        List<Report> measure(Consumer<String> progress) throws Exception {
            return List.of(Benchmarks.memory(sizes(sessions).get(0), common.enforcementProps(), progress));
        }
    }
}
