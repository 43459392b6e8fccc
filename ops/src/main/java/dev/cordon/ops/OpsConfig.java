package dev.cordon.ops;

import java.util.Objects;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The {@code ops.*} configuration fragment every Cordon service merges into its own {@link ConfigDef}, so that
 * the metrics and health endpoint ({@link OpsServer}) is configured the same way everywhere:
 * <pre>{@code
 * private static final ConfigDef CONFIG = OpsConfig.define(new ConfigDef()
 *         .define(...service keys...), OpsConfig.DEFAULT_PORT_AUDIT_SINK);
 * ...
 * OpsConfig.Settings ops = OpsConfig.settings(this);
 * }</pre>
 * From the environment, {@code CORDON_OPS_PORT} maps to {@code ops.port} (STYLE.md §6 precedence).
 */
public final class OpsConfig {
    public static final String OPS_ENABLED_CONFIG = "ops.enabled";
    public static final String OPS_ENABLED_DOC = "Serve GET /metrics (Prometheus text format), /health/live and "
            + "/health/ready on ops.host:ops.port. Off by default so that several services (or tests) in one JVM or on "
            + "one host do not fight over a port; the service commands and docker-compose turn it on.";
    public static final String OPS_HOST_CONFIG = "ops.host";
    public static final String OPS_HOST_DOC = "Address the metrics and health endpoint binds to. Loopback by default; "
            + "0.0.0.0 in a container so that Prometheus and the orchestrator can reach it.";
    public static final String OPS_PORT_CONFIG = "ops.port";
    public static final String OPS_PORT_DOC = "TCP port of the metrics and health endpoint; 0 picks a free port "
            + "(see OpsServer.port()).";

    /** Default loopback address. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Suggested default ports, one per service, so that all of them can run on one host. */
    public static final int DEFAULT_PORT_INGEST = 9400;
    public static final int DEFAULT_PORT_ENFORCEMENT = 9401;
    public static final int DEFAULT_PORT_AUDIT_SINK = 9402;
    public static final int DEFAULT_PORT_CAEP = 9403;

    private OpsConfig() {
    }

    /**
     * The values of the fragment.
     *
     * @param enabled whether to serve the endpoint
     * @param host    bind address
     * @param port    TCP port, 0 for an ephemeral one
     */
    public record Settings(boolean enabled, String host, int port) {
    }

    /**
     * Adds {@code ops.enabled} (default {@code false}), {@code ops.host} (default {@value #DEFAULT_HOST}) and
     * {@code ops.port} (default {@code defaultPort}, range 0–65535) to {@code def}.
     *
     * @return {@code def}, for chaining
     * @throws org.apache.kafka.common.config.ConfigException if {@code def} already defines one of the keys
     */
    public static ConfigDef define(ConfigDef def, int defaultPort) {
        Objects.requireNonNull(def, "def");
        return def
                .define(OPS_ENABLED_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM, OPS_ENABLED_DOC)
                .define(OPS_HOST_CONFIG, Type.STRING, DEFAULT_HOST, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        OPS_HOST_DOC)
                .define(OPS_PORT_CONFIG, Type.INT, defaultPort, ConfigDef.Range.between(0, 65535), Importance.MEDIUM,
                        OPS_PORT_DOC);
    }

    /**
     * @param config a config whose definition went through {@link #define(ConfigDef, int)}
     * @return the {@code ops.*} values
     * @throws org.apache.kafka.common.config.ConfigException if the fragment was not defined
     */
    public static Settings settings(AbstractConfig config) {
        return new Settings(config.getBoolean(OPS_ENABLED_CONFIG), config.getString(OPS_HOST_CONFIG),
                config.getInt(OPS_PORT_CONFIG));
    }
}
