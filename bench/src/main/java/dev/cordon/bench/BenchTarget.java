package dev.cordon.bench;

import dev.cordon.bench.internal.EmbeddedCluster;
import dev.cordon.bench.internal.ExternalCluster;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Where the benchmarks run: the embedded stack (the default; a fresh broker, registry and, for the audit benchmark,
 * PostgreSQL in this JVM for every run) or an external cluster. Each benchmark run {@link #open opens} its own
 * {@link BenchCluster} and closes it when done; on an external cluster a run creates its topics under a fresh
 * {@code cordon-bench-<8 hex>.} prefix and deletes them, its applications' internal topics, its consumer groups and its
 * registry subjects on close.
 */
public final class BenchTarget {
    private static final BenchTarget EMBEDDED = new BenchTarget(null);
    /** Client settings a run chooses itself; {@link External} refuses them in {@code clientSettings}. */
    public static final Set<String> RESERVED_CLIENT_SETTINGS = Set.of("bootstrap.servers", "schema.registry.url",
            "group.id", "group.instance.id", "transactional.id", "application.id");

    private final External external;

    private BenchTarget(External external) {
        this.external = external;
    }

    /** @return the embedded stack in this JVM, a fresh one per run (the default) */
    public static BenchTarget embedded() {
        return EMBEDDED;
    }

    /** @return an external cluster; see {@link External} */
    public static BenchTarget external(External settings) {
        return new BenchTarget(Objects.requireNonNull(settings, "settings"));
    }

    /** @return whether the runs use the embedded stack */
    public boolean isEmbedded() {
        return external == null;
    }

    /** @return the external settings, or {@code null} for the embedded stack */
    public External external() {
        return external;
    }

    /**
     * @return one line for the report's machine line: {@code embedded stack (broker, registry[, PostgreSQL] in this JVM)}
     *         or {@code external cluster HOST:PORT (registry URL)}
     */
    public String describe() {
        if (external == null) {
            return "embedded stack (broker, schema registry and, for audit, PostgreSQL in this JVM)";
        }
        return "external cluster " + external.bootstrapServers() + " (registry " + redact(external.schemaRegistryUrl())
                + (external.jdbcUrl() == null ? "" : ", database " + redact(external.jdbcUrl())) + ")";
    }

    /**
     * @return {@code url} without credentials: the user-info part ({@code user:password@}) and the values of
     *         {@code password}-like query parameters are replaced by {@code ***}
     */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        return url.replaceAll("//[^/@?#]*@", "//***@").replaceAll("(?i)([?&;][^=&;]*password[^=&;]*=)[^&;]*", "$1***");
    }

    /**
     * Opens the cluster of one run: starts an embedded stack, or creates this run's topics on the external cluster
     * ({@code TopicNames.specs(prefix, sessionPartitions)}, every partition answering) and, with {@code withDatabase},
     * this run's schema in the external database.
     *
     * @param sessionPartitions partitions of session-events and revocation-commands, at least 1
     * @param withDatabase      whether the run needs PostgreSQL (the audit benchmark)
     * @param progress          progress lines (stderr), e.g. what was created and later deleted
     * @return the open cluster; the caller closes it
     * @throws IllegalStateException when the external target has no database but {@code withDatabase} is set, or a
     *                               component does not start (everything created so far is removed again)
     * @throws Exception             when the cluster does not answer (Kafka admin failures, timeouts)
     */
    public BenchCluster open(int sessionPartitions, boolean withDatabase, Consumer<String> progress) throws Exception {
        return external == null ? EmbeddedCluster.start(sessionPartitions, withDatabase)
                : ExternalCluster.open(external, sessionPartitions, withDatabase, progress);
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * An external Kafka cluster, its schema registry and, for the audit benchmark, a PostgreSQL database.
     *
     * @param bootstrapServers  {@code host:port[,host:port…]}, not blank
     * @param schemaRegistryUrl the registry's base URL, not blank
     * @param clientSettings    extra settings merged into every Kafka client, Streams application and registry client
     *                          (security.protocol, sasl.*, ssl.*, basic.auth.*); none of
     *                          {@link #RESERVED_CLIENT_SETTINGS}
     * @param jdbcUrl           {@code jdbc:postgresql:…} of a database the audit benchmark may create a schema and a
     *                          role in, or {@code null}; must not set {@code currentSchema}
     * @param jdbcUser          the role that creates that schema and role (needs CREATE on the database and
     *                          CREATEROLE), or {@code null}
     * @param jdbcPassword      its password, or {@code null} (never printed)
     */
    public record External(String bootstrapServers, String schemaRegistryUrl, Map<String, String> clientSettings,
                           String jdbcUrl, String jdbcUser, String jdbcPassword) {
        /**
         * @throws IllegalArgumentException naming the setting when the servers or registry URL are blank, a reserved
         *                                  client setting is given, or the JDBC URL is not PostgreSQL's or sets
         *                                  {@code currentSchema}
         */
        public External {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("bootstrap servers must not be blank");
            }
            for (String server : bootstrapServers.split(",")) {
                if (!server.trim().matches("\\[?[A-Za-z0-9._:-]+]?:\\d{1,5}")) {
                    throw new IllegalArgumentException("bootstrap servers must be HOST:PORT[,HOST:PORT…], `" + server.trim()
                            + "` is not");
                }
            }
            if (schemaRegistryUrl == null || schemaRegistryUrl.isBlank()) {
                throw new IllegalArgumentException("schema registry URL must not be blank");
            }
            for (String url : schemaRegistryUrl.split(",")) {
                java.net.URI uri;
                try {
                    uri = java.net.URI.create(url.trim());
                } catch (IllegalArgumentException e) {
                    uri = null;
                }
                if (uri == null || uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                    throw new IllegalArgumentException("schema registry URL must be http(s)://HOST[:PORT][/PATH], `"
                            + redact(url.trim()) + "` is not");
                }
            }
            clientSettings = Map.copyOf(new TreeMap<>(clientSettings == null ? Map.of() : clientSettings));
            for (String key : clientSettings.keySet()) {
                if (RESERVED_CLIENT_SETTINGS.contains(key)) {
                    throw new IllegalArgumentException("client setting `" + key + "` is chosen by the benchmark "
                            + "(bootstrap servers and registry URL by their own options; group, application and "
                            + "transactional ids are unique per run); remove it");
                }
            }
            if (jdbcUrl != null) {
                if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                    throw new IllegalArgumentException("JDBC URL must start with jdbc:postgresql:, was " + redact(jdbcUrl));
                }
                if (jdbcUrl.contains("currentSchema=")) {
                    throw new IllegalArgumentException("JDBC URL must not set currentSchema: the audit benchmark "
                            + "runs in a schema of its own, created and dropped by the run");
                }
            }
        }

        /** @return the settings without secrets: client setting values, URL credentials and the password are left out */
        @Override
        public String toString() {
            return "External[bootstrapServers=" + bootstrapServers + ", schemaRegistryUrl=" + redact(schemaRegistryUrl)
                    + ", clientSettings=" + clientSettings.keySet() + ", jdbcUrl=" + redact(jdbcUrl) + ", jdbcUser=" + jdbcUser
                    + ", jdbcPassword=" + (jdbcPassword == null ? "none" : "(set)") + "]";
        }
    }
}
