package dev.cordon.cli;

import dev.cordon.bench.BenchTarget;
import dev.cordon.bench.Benchmarks;
import dev.cordon.bench.Report;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cordon bench fanout|sessions|latency|audit|peer|micro|memory}: the benchmarks of issue 5, each printing its
 * figures beside a baseline from the same run, as Markdown (stdout). Progress and the machine's load average go to
 * stderr. They run on the embedded stack by default; with {@code --bootstrap-servers} and {@code --schema-registry-url}
 * (and for {@code audit} {@code --jdbc-url}) on a real cluster, where each run creates its own uniquely named topics,
 * groups and database schema and deletes them again ({@link TargetOptions}). {@code micro} is JMH only and refuses
 * the cluster options. The machine line under the report names the target.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks (issue 5): each figure beside a baseline measured in the same run. See BENCHMARKS.md.",
                "On the embedded stack by default; --bootstrap-servers HOST:PORT --schema-registry-url URL for a real cluster "
                        + "(each run creates and deletes its own cordon-bench-<8 hex>.* topics)."},
        subcommands = {BenchCommand.FanOut.class, BenchCommand.Sessions.class, BenchCommand.Latency.class,
                BenchCommand.Audit.class, BenchCommand.Peer.class, BenchCommand.Micro.class, BenchCommand.Memory.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Environment variable holding the audit database password for {@code bench audit --jdbc-url} (never a flag). */
    static final String JDBC_PASSWORD_ENV = "CORDON_BENCH_JDBC_PASSWORD";

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

    /**
     * Where the Kafka benchmarks run (picocli mixin): the embedded stack, unless {@code --bootstrap-servers} names a real
     * cluster. On a real cluster every run creates Cordon's topics under a fresh {@code cordon-bench-<8 hex>.} prefix,
     * uses application, group and transactional ids {@code cordon-bench-<8 hex>-<role>}, and on exit deletes its topics,
     * its applications' internal topics, its groups and its registry subjects.
     */
    static final class TargetOptions {
        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,…]",
                description = "Run on this Kafka cluster instead of the embedded stack. Each run creates its own "
                        + "cordon-bench-<8 hex>.* topics and unique group/application ids, and deletes them when done.")
        String bootstrapServers;

        @Option(names = "--schema-registry-url", paramLabel = "URL",
                description = "That cluster's schema registry (required with --bootstrap-servers).")
        String schemaRegistryUrl;

        @Option(names = "--client-config", paramLabel = "FILE",
                description = "Properties file of extra client settings (security.protocol, sasl.*, ssl.*, basic.auth.*) "
                        + "merged into every Kafka client, Streams application and registry client; with --bootstrap-servers.")
        Path clientConfig;

        /**
         * Validates the options and builds the target.
         *
         * @param jdbcUrl  {@code --jdbc-url} of {@code bench audit}, or {@code null}
         * @param jdbcUser {@code --jdbc-user} of {@code bench audit}, or {@code null}
         * @param needsDatabase whether the benchmark needs PostgreSQL (then {@code --jdbc-url} and {@code --jdbc-user}
         *                      are required with {@code --bootstrap-servers})
         * @return the embedded target without {@code --bootstrap-servers}, else the external one
         * @throws IllegalArgumentException (exit code 2) naming the option: a cluster option without
         *                                  {@code --bootstrap-servers}, a missing {@code --schema-registry-url} (or
         *                                  {@code --jdbc-url}/{@code --jdbc-user} for audit), an unreadable or
         *                                  malformed {@code --client-config} file, or a setting in it the benchmark
         *                                  chooses itself
         */
        BenchTarget target(String jdbcUrl, String jdbcUser, boolean needsDatabase) {
            if (bootstrapServers == null) {
                String stray = schemaRegistryUrl != null ? "--schema-registry-url" : clientConfig != null ? "--client-config"
                        : jdbcUrl != null ? "--jdbc-url" : jdbcUser != null ? "--jdbc-user" : null;
                if (stray != null) {
                    throw new IllegalArgumentException(stray + " applies only with --bootstrap-servers (without it the "
                            + "benchmark runs on the embedded stack)");
                }
                return BenchTarget.embedded();
            }
            if (bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("--bootstrap-servers: must name at least one HOST:PORT");
            }
            if (schemaRegistryUrl == null || schemaRegistryUrl.isBlank()) {
                throw new IllegalArgumentException("Missing required option: '--schema-registry-url=URL' (required with "
                        + "--bootstrap-servers: the benchmarks write Avro records through the cluster's schema registry)");
            }
            Map<String, String> settings = readClientConfig();
            String password = null;
            if (needsDatabase) {
                if (jdbcUrl == null || jdbcUrl.isBlank()) {
                    throw new IllegalArgumentException("Missing required option: '--jdbc-url=URL' (bench audit on a real "
                            + "cluster needs a PostgreSQL database it may create a schema and a role in; with --jdbc-user, "
                            + "and the password in " + JDBC_PASSWORD_ENV + ")");
                }
                if (jdbcUser == null || jdbcUser.isBlank()) {
                    throw new IllegalArgumentException("Missing required option: '--jdbc-user=USER' (with --jdbc-url: a role "
                            + "with CREATE on the database and CREATEROLE; the password in " + JDBC_PASSWORD_ENV + ")");
                }
                password = System.getenv(JDBC_PASSWORD_ENV);
            }
            try {
                return BenchTarget.external(new BenchTarget.External(bootstrapServers.trim(), schemaRegistryUrl.trim(), settings,
                        needsDatabase ? jdbcUrl.trim() : null, needsDatabase ? jdbcUser.trim() : null, password));
            } catch (IllegalArgumentException e) {
                String option = e.getMessage().startsWith("client setting") ? "--client-config"
                        : e.getMessage().startsWith("JDBC URL") ? "--jdbc-url"
                        : e.getMessage().startsWith("schema registry URL") ? "--schema-registry-url" : "--bootstrap-servers";
                throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
            }
        }

        private Map<String, String> readClientConfig() {
            Map<String, String> out = new LinkedHashMap<>();
            if (clientConfig == null) {
                return out;
            }
            if (!Files.isRegularFile(clientConfig) || !Files.isReadable(clientConfig)) {
                throw new IllegalArgumentException("--client-config: cannot read `" + clientConfig + "` ("
                        + (Files.exists(clientConfig) ? "not a readable file" : "no such file") + ")");
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(clientConfig, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("--client-config: cannot read `" + clientConfig + "`: " + e.getMessage(), e);
            }
            p.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, p.getProperty(k).trim()));
            return out;
        }
    }

    abstract static class Base implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /**
         * @return where to run, after validating the cluster options
         * @throws IllegalArgumentException (exit code 2) naming a bad option
         */
        abstract BenchTarget target();

        /** @return the machine line's description of the target */
        String describe(BenchTarget target) {
            return target.describe();
        }

        abstract List<Report> measure(BenchTarget target, Consumer<String> progress) throws Exception;

        @Override
        public Integer call() throws Exception {
            BenchTarget target = target();
            PrintWriter err = spec.commandLine().getErr();
            Consumer<String> progress = line -> {
                err.println("bench: " + line + "   [loadavg " + loadAvg() + "]");
                err.flush();
            };
            String before = loadAvg();
            long t0 = System.nanoTime();
            List<Report> reports = measure(target, progress);
            StringBuilder md = new StringBuilder();
            for (Report r : reports) {
                md.append(r.toMarkdown()).append('\n');
            }
            md.append(String.format("_machine: %d cores, %s MiB max heap, JDK %s; target: %s; load average before %s, after %s; %.0f s_%n%n",
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / 1048576,
                    System.getProperty("java.version"), describe(target), before, loadAvg(), (System.nanoTime() - t0) / 1e9));
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

    /** A benchmark that needs Kafka: embedded by default, a real cluster with {@link TargetOptions}. */
    abstract static class KafkaBase extends Base {
        @CommandLine.Mixin
        TargetOptions cluster = new TargetOptions();

        @Override
        BenchTarget target() {
            return cluster.target(null, null, false);
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
    static final class FanOut extends KafkaBase {
        @Option(names = "--sessions", defaultValue = "10k,100k", description = "Comma-separated N (10k, 100k, 1m). Default: ${DEFAULT-VALUE}.")
        String sessions;

        @Override
        List<Report> measure(BenchTarget target, Consumer<String> progress) throws Exception {
            return Benchmarks.fanOut(target, sizes(sessions), common.enforcementProps(), progress);
        }
    }

    @Command(name = "sessions", mixinStandardHelpOptions = true,
            description = "Session events/s (70/20/10 heartbeat/start/end, 5 directives) vs a transactional pass-through.")
    static final class Sessions extends KafkaBase {
        @Option(names = "--events", defaultValue = "300000", description = "Events timed. Default: ${DEFAULT-VALUE}.")
        int events;

        @Override
        List<Report> measure(BenchTarget target, Consumer<String> progress) throws Exception {
            return List.of(Benchmarks.sessions(target, atLeastOne("--events", events), common.enforcementProps(), progress));
        }
    }

    @Command(name = "latency", mixinStandardHelpOptions = true,
            description = "STARTED-to-DENY latency percentiles at a fixed offered load, default vs tuned commit interval.")
    static final class Latency extends KafkaBase {
        @Option(names = "--rate", defaultValue = "5000", description = "Offered events/s. Default: ${DEFAULT-VALUE}.")
        int rate;

        @Option(names = "--seconds", defaultValue = "20", description = "Measured seconds per run. Default: ${DEFAULT-VALUE}.")
        int seconds;

        @Option(names = "--tuned-commit-ms", defaultValue = "20", split = ",",
                description = "Tuned commit.interval.ms values. Default: ${DEFAULT-VALUE}.")
        List<Long> tuned;

        @Override
        List<Report> measure(BenchTarget target, Consumer<String> progress) throws Exception {
            for (long ms : tuned) {
                if (ms < 1) {
                    throw new IllegalArgumentException("--tuned-commit-ms: `" + ms + "` must be at least 1");
                }
            }
            return List.of(Benchmarks.latency(target, atLeastOne("--rate", rate), atLeastOne("--seconds", seconds), tuned, progress));
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = {"Audit sink entries/s and verify entries/s vs plain batched INSERTs / SELECT of the same rows.",
                    "With --bootstrap-servers also --jdbc-url and --jdbc-user (password in " + JDBC_PASSWORD_ENV + "): the run "
                            + "creates a schema cordon_bench_<8 hex> and a role cordon_bench_<8 hex>_writer there and drops both."})
    static final class Audit extends KafkaBase {
        @Option(names = "--entries", defaultValue = "100000", description = "Entries. Default: ${DEFAULT-VALUE}.")
        int entries;

        @Option(names = "--jdbc-url", paramLabel = "URL",
                description = "PostgreSQL database for the audit trail on a real cluster (with --bootstrap-servers).")
        String jdbcUrl;

        @Option(names = "--jdbc-user", paramLabel = "USER",
                description = "Role with CREATE on that database and CREATEROLE; its password from " + JDBC_PASSWORD_ENV + ".")
        String jdbcUser;

        @Override
        BenchTarget target() {
            return cluster.target(jdbcUrl, jdbcUser, true);
        }

        @Override
        List<Report> measure(BenchTarget target, Consumer<String> progress) throws Exception {
            if (target.external() != null && target.external().jdbcPassword() == null) {
                progress.accept(JDBC_PASSWORD_ENV + " is not set: connecting to the database without a password");
            }
            return List.of(Benchmarks.audit(target, atLeastOne("--entries", entries), progress));
        }
    }

    @Command(name = "peer", mixinStandardHelpOptions = true,
            description = "The fan-out as a KIP-213 foreign-key join, beside Cordon's at the same N.")
    static final class Peer extends KafkaBase {
        @Option(names = "--sessions", defaultValue = "100k", description = "N. Default: ${DEFAULT-VALUE}.")
        String sessions;

        @Override
        List<Report> measure(BenchTarget target, Consumer<String> progress) throws Exception {
            return Benchmarks.peer(target, sizes(sessions).get(0), progress);
        }
    }

    @Command(name = "micro", mixinStandardHelpOptions = true,
            description = "JMH: scope matcher and hashers, in forked JVMs on this machine. No cluster: refuses --bootstrap-servers, "
                    + "--schema-registry-url, --client-config, --jdbc-url and --jdbc-user.")
    static final class Micro extends Base {
        // accepted only to say why they do not apply (picocli would call them unknown)
        @Option(names = "--bootstrap-servers", hidden = true)
        String bootstrapServers;

        @Option(names = "--schema-registry-url", hidden = true)
        String schemaRegistryUrl;

        @Option(names = "--client-config", hidden = true)
        String clientConfig;

        @Option(names = "--jdbc-url", hidden = true)
        String jdbcUrl;

        @Option(names = "--jdbc-user", hidden = true)
        String jdbcUser;

        @Option(names = "--forks", defaultValue = "1")
        int forks;

        @Option(names = "--warmups", defaultValue = "3")
        int warmups;

        @Option(names = "--iterations", defaultValue = "5")
        int iterations;

        /** @throws IllegalArgumentException (exit code 2) naming the first cluster option given */
        @Override
        BenchTarget target() {
            String given = bootstrapServers != null ? "--bootstrap-servers" : schemaRegistryUrl != null ? "--schema-registry-url"
                    : clientConfig != null ? "--client-config" : jdbcUrl != null ? "--jdbc-url" : jdbcUser != null ? "--jdbc-user" : null;
            if (given != null) {
                throw new IllegalArgumentException(given + " does not apply to bench micro: it runs JMH in forked JVMs on this "
                        + "machine and uses no cluster");
            }
            return BenchTarget.embedded();
        }

        @Override
        String describe(BenchTarget target) {
            return "none (JMH in forked JVMs on this machine)";
        }

        @Override
        List<Report> measure(BenchTarget target, Consumer<String> progress) throws Exception {
            if (warmups < 0) {
                throw new IllegalArgumentException("--warmups: `" + warmups + "` must be at least 0");
            }
            return List.of(Benchmarks.micro(atLeastOne("--forks", forks), warmups, atLeastOne("--iterations", iterations)));
        }
    }

    @Command(name = "memory", mixinStandardHelpOptions = true,
            description = "Heap after GC and RocksDB disk at N active sessions, and a preview (blast radius) over them.")
    static final class Memory extends KafkaBase {
        @Option(names = "--sessions", defaultValue = "100k", description = "N (1m for the issue's figure). Default: ${DEFAULT-VALUE}.")
        String sessions;

        @Override
        List<Report> measure(BenchTarget target, Consumer<String> progress) throws Exception {
            return List.of(Benchmarks.memory(target, sizes(sessions).get(0), common.enforcementProps(), progress));
        }
    }
}
