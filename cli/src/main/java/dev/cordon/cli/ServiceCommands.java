package dev.cordon.cli;

import dev.cordon.audit.AuditSink;
import dev.cordon.audit.AuditSinkConfig;
import dev.cordon.enforcement.EnforcementApp;
import dev.cordon.enforcement.EnforcementConfig;
import dev.cordon.ingest.IngestConfig;
import dev.cordon.ingest.IngestService;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One subcommand per service, each running it as its own process against a given cluster until
 * stopped (SIGTERM / Ctrl-C). Settings: see {@link ConfigSources} for precedence and each service's
 * config class for the keys.
 */
public final class ServiceCommands {
    private ServiceCommands() {
    }

    /** Longest a shutdown (SIGTERM / Ctrl-C) waits for the service to close, ms. */
    static final long CLOSE_WAIT_MS = 60_000;

    /**
     * Blocks until the JVM is asked to shut down (SIGTERM / Ctrl-C), then closes {@code resource} before the JVM exits.
     * The JVM halts once its shutdown hooks return, so the hook waits (at most {@link #CLOSE_WAIT_MS}) for the close to
     * finish: a stream application then leaves its group and writes its checkpoints (a hook that returned at once let
     * the JVM stop mid-close, and the next start wiped and restored every task), ingest stops serving, the audit sink
     * commits its last batch.
     *
     * @throws Exception what closing {@code resource} throws
     */
    static void runUntilShutdown(AutoCloseable resource) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                closed.await(CLOSE_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cordon-shutdown"));
        try {
            stop.await();
        } finally {
            try {
                resource.close();
            } finally {
                closed.countDown();
            }
        }
    }

    /** Something that starts a service from its merged settings. */
    @FunctionalInterface
    interface Starter {
        AutoCloseable start(Map<String, Object> settings) throws Exception;
    }

    /**
     * Starts a service from the merged settings, announces it, and runs it until the JVM is asked
     * to stop; the service is closed before the JVM exits ({@link #runUntilShutdown}).
     */
    static int run(CommandLine.Model.CommandSpec spec, ClusterOptions cluster, Map<String, Object> extraFlags, Starter starter,
                   java.util.function.Function<AutoCloseable, String> announcement) throws Exception {
        AutoCloseable service = starter.start(settings(cluster, extraFlags));
        try {
            spec.commandLine().getOut().println(announcement.apply(service));
            spec.commandLine().getOut().flush();
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        runUntilShutdown(service);
        return 0;
    }

    static Map<String, Object> settings(ClusterOptions cluster, Map<String, Object> extraFlags) throws Exception {
        Map<String, Object> flags = cluster.flags();
        flags.putAll(extraFlags);
        Map<String, Object> merged = ConfigSources.resolve(cluster.config, System.getenv(), flags);
        // A service run on its own serves /metrics and /health/* (ops.port per service) unless told not to.
        merged.putIfAbsent("ops.enabled", "true");
        return merged;
    }

    /** {@code cordon ingest}: the directive-ingest HTTP API. */
    @Command(name = "ingest", mixinStandardHelpOptions = true, description = "Run directive-ingest (HTTP API, default 127.0.0.1:8080).")
    public static final class Ingest implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;
        @Option(names = "--port", description = "HTTP port (0 = ephemeral).")
        Integer port;
        @Option(names = "--host", description = "Address to bind (default 127.0.0.1).")
        String host;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> extra = new java.util.HashMap<>();
            extra.put("ingest.port", port);
            extra.put("ingest.host", host);
            return run(spec, cluster, extra, s -> IngestService.start(new IngestConfig(s)),
                    service -> "directive-ingest listening on " + ((IngestService) service).baseUri());
        }
    }

    /** {@code cordon stream}: the enforcement Kafka Streams application. */
    @Command(name = "stream", mixinStandardHelpOptions = true, description = "Run enforcement-stream (Kafka Streams, exactly_once_v2).")
    public static final class Stream implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;
        @Option(names = "--state-dir", description = "Kafka Streams state directory.")
        String stateDir;
        @Option(names = "--session-partitions", description = "Partitions of session-events (must match the topic).")
        Integer sessionPartitions;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> extra = new java.util.HashMap<>();
            extra.put("state.dir", stateDir);
            extra.put("session.partitions", sessionPartitions);
            return run(spec, cluster, extra, s -> EnforcementApp.start(new EnforcementConfig(s)), app -> "enforcement-stream started");
        }
    }

    /** {@code cordon audit-sink}: appends audit-log to PostgreSQL. */
    @Command(name = "audit-sink", mixinStandardHelpOptions = true, description = "Run audit-sink (audit-log → PostgreSQL, hash-chained).")
    public static final class AuditSinkService implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;
        @Mixin
        JdbcOptions jdbc;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return run(spec, cluster, jdbc.flags(), s -> AuditSink.start(new AuditSinkConfig(s)), sink -> "audit-sink started");
        }
    }
}
