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

    /** Blocks until the JVM is asked to shut down. */
    static void awaitShutdown() throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(latch::countDown, "cordon-shutdown"));
        latch.await();
    }

    static Map<String, Object> settings(ClusterOptions cluster, Map<String, Object> extraFlags) throws Exception {
        Map<String, Object> flags = cluster.flags();
        flags.putAll(extraFlags);
        return ConfigSources.resolve(cluster.config, System.getenv(), flags);
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
            try (IngestService service = IngestService.start(new IngestConfig(settings(cluster, extra)))) {
                spec.commandLine().getOut().println("directive-ingest listening on " + service.baseUri());
                spec.commandLine().getOut().flush();
                awaitShutdown();
            }
            return 0;
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
            try (EnforcementApp app = EnforcementApp.start(new EnforcementConfig(settings(cluster, extra)))) {
                spec.commandLine().getOut().println("enforcement-stream started");
                spec.commandLine().getOut().flush();
                awaitShutdown();
            }
            return 0;
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
            try (AuditSink sink = AuditSink.start(new AuditSinkConfig(settings(cluster, jdbc.flags())))) {
                spec.commandLine().getOut().println("audit-sink started");
                spec.commandLine().getOut().flush();
                awaitShutdown();
            }
            return 0;
        }
    }
}
