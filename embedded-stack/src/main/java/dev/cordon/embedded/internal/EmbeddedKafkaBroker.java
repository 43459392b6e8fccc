package dev.cordon.embedded.internal;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A single-node Apache Kafka KRaft server (combined broker + controller) running in this JVM through
 * {@link KafkaRaftServer}, the class behind {@code kafka-server-start.sh}. Its log directory is formatted
 * on first start (like {@code kafka-storage format}) and reused as-is afterwards, so topics and records
 * survive restarts on the same directory.
 *
 * <p>The controller quorum is static ({@code controller.quorum.voters}), so the listener ports may
 * change from one start to the next.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final int BIND_ATTEMPTS = 5;

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private boolean closed;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats {@code logDir} if needed and starts the server; returns once the broker is registered
     * and unfenced.
     *
     * @param host        address every listener binds to and advertises (e.g. {@code 127.0.0.1})
     * @param port        client listener port; 0 picks a free one
     * @param logDir      data directory (created if absent)
     * @param extraConfig broker properties applied last (override the defaults)
     */
    public static EmbeddedKafkaBroker start(String host, int port, Path logDir, Map<String, String> extraConfig) {
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create Kafka log directory " + logDir, e);
        }
        RuntimeException last = null;
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            int brokerPort = port == 0 ? FreePorts.pick(host) : port;
            int controllerPort = FreePorts.pick(host);
            Map<String, Object> props = config(host, brokerPort, controllerPort, logDir, extraConfig);
            KafkaConfig config = new KafkaConfig(props, false);
            formatIfNeeded(config, logDir);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                server.startup();
                return new EmbeddedKafkaBroker(server, host + ":" + brokerPort);
            } catch (RuntimeException e) {
                last = e;
                LOG.warn("Kafka start attempt {} on ports {}/{} failed: {}", attempt, brokerPort, controllerPort,
                        e.toString());
                shutdownQuietly(server);
                if (port != 0 || !isBindFailure(e)) {
                    break;
                }
            }
        }
        throw new IllegalStateException("Embedded Kafka broker did not start in " + logDir, last);
    }

    private static Map<String, Object> config(String host, int brokerPort, int controllerPort, Path logDir,
                                              Map<String, String> extra) {
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
        p.put("listeners", BROKER_LISTENER + "://" + host + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + host + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + brokerPort);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        // Cordon creates every topic explicitly (DESIGN.md "Topics").
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // Internal topics on one node: replication 1, few partitions (created lazily, fewer = faster).
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // A 1-node dev broker on a small machine: fewer threads, small cleaner buffer (default 128 MB).
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "4");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        p.put("controlled.shutdown.enable", "true");
        p.putAll(extra);
        return p;
    }

    private static void formatIfNeeded(KafkaConfig config, Path logDir) {
        if (Files.exists(logDir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME))) {
            return;
        }
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setDirectories(List.of(logDir.toAbsolutePath().toString()))
                .setMetadataLogDirectory(config.metadataLogDir())
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setUnstableFeatureVersionsEnabled(false)
                .setIgnoreFormatted(true);
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka log directory " + logDir, e);
        }
        LOG.debug("Formatted Kafka log directory {} (cluster id {})", logDir, formatter.clusterId());
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException
                    || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.debug("Ignoring failure while shutting down Kafka", e);
        }
    }

    /** @return {@code host:port} of the client listener */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Shuts the server down and waits for it; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdownQuietly(server);
    }
}
