package dev.cordon.embedded;

import dev.cordon.embedded.internal.EmbeddedKafkaBroker;
import dev.cordon.embedded.internal.EmbeddedPostgresServer;
import dev.cordon.schemas.TopicNames;
import dev.cordon.schemas.admin.TopicAdmin;
import dev.cordon.schemas.registry.server.EmbeddedSchemaRegistry;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Cordon's local stack in one call (DESIGN.md "Stack"): a real single-node Apache Kafka KRaft broker
 * (broker + controller) in this JVM, the embedded schema registry, and a real PostgreSQL server, all bound
 * to {@code 127.0.0.1} on ephemeral ports unless {@link Options} says otherwise; then every topic of
 * {@link TopicNames#specs(String, int)} is created and waited for (see {@link TopicAdmin#createTopics}).
 *
 * <p>Broker settings: {@code auto.create.topics.enable=false}; internal topics (consumer offsets,
 * transaction state, share state) replication 1 and min ISR 1, so transactions and Kafka Streams
 * {@code exactly_once_v2} work; {@code group.initial.rebalance.delay.ms=0}. {@link Options#brokerProperties()}
 * override any of them.
 *
 * <p>State: with {@link Options#dataDir()} {@code null} everything lives in a temporary directory deleted on
 * {@link #close()}; with a directory, Kafka topics/records and PostgreSQL data persist there
 * ({@code <dataDir>/kafka}, {@code <dataDir>/postgres}) and a later stack on the same directory finds them
 * (listener ports may differ; read them from the accessors). The schema registry then journals its schemas,
 * ids, versions, deletions and compatibility config in {@code <dataDir>/registry/schemas.jsonl} (see
 * {@link EmbeddedSchemaRegistry#start(String, int, Path)}), so Avro records written before a restart keep
 * resolving to the same schemas after it; in a temporary stack it keeps them in memory only. Only one stack
 * per data directory at a time.
 *
 * <pre>{@code
 * try (EmbeddedStack stack = EmbeddedStack.start(EmbeddedStack.Options.builder().sessionPartitions(4).build())) {
 *     Map<String, Object> cfg = stack.clientConfig(); // bootstrap.servers, schema.registry.url
 * }
 * }</pre>
 */
public final class EmbeddedStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);
    /** Every server binds to and advertises this address. */
    public static final String HOST = "127.0.0.1";
    /** Config key of the schema registry URL in {@link #clientConfig()} (Confluent's name). */
    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(60);

    private final Options options;
    private final Path dataDir;
    private final boolean temporaryDataDir;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final Map<String, Duration> startupTimes = new LinkedHashMap<>();
    private EmbeddedKafkaBroker kafka;
    private EmbeddedSchemaRegistry registry;
    private EmbeddedPostgresServer postgres;
    private final Thread shutdownHook = new Thread(this::close, "cordon-stack-shutdown");
    private boolean closed;

    private EmbeddedStack(Options options, Path dataDir, boolean temporaryDataDir) {
        this.options = options;
        this.dataDir = dataDir;
        this.temporaryDataDir = temporaryDataDir;
    }

    /** Starts a stack with {@link Options#defaults()}. */
    public static EmbeddedStack start() {
        return start(Options.defaults());
    }

    /**
     * Starts every component and creates the topics; returns when all are ready. PostgreSQL starts in
     * parallel with Kafka (it is a separate process). Start-up time of each component is logged at INFO and
     * available from {@link #startupTimes()}.
     *
     * @throws IllegalStateException if a component does not start (everything already started is stopped)
     */
    public static EmbeddedStack start(Options options) {
        Objects.requireNonNull(options, "options");
        long t0 = System.nanoTime();
        Path dir;
        boolean temporary = options.dataDir() == null;
        try {
            dir = temporary ? Files.createTempDirectory("cordon-stack-") : Files.createDirectories(options.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the stack's data directory", e);
        }
        EmbeddedStack stack = new EmbeddedStack(options, dir.toAbsolutePath(), temporary);
        // Ctrl-C on a demo still stops PostgreSQL and Kafka cleanly and removes a temporary directory.
        Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
        try {
            stack.startComponents();
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
        stack.startupTimes.put("total", elapsed(t0));
        LOG.info("Embedded stack ready in {} ms: {} (data in {}{})", stack.startupTimes.get("total").toMillis(),
                stack.summary(), stack.dataDir, temporary ? ", temporary" : "");
        return stack;
    }

    private void startComponents() {
        CompletableFuture<EmbeddedPostgresServer> pgFuture = null;
        if (options.withPostgres()) {
            pgFuture = CompletableFuture.supplyAsync(() -> {
                long t = System.nanoTime();
                EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(HOST, options.postgresPort(),
                        dataDir.resolve("postgres"));
                record("postgres", t, "PostgreSQL on " + pg.jdbcUrl());
                return pg;
            }, runnable -> {
                Thread thread = new Thread(runnable, "cordon-stack-postgres-start");
                thread.setDaemon(true);
                thread.start();
            });
        }
        RuntimeException failure = null;
        try {
            long t = System.nanoTime();
            kafka = EmbeddedKafkaBroker.start(HOST, options.kafkaPort(), dataDir.resolve("kafka"),
                    options.brokerProperties());
            toClose.push(kafka);
            record("kafka", t, "Kafka broker (KRaft, broker+controller) on " + kafka.bootstrapServers());

            t = System.nanoTime();
            try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                TopicAdmin.createTopics(admin, TopicNames.specs(options.topicPrefix(), options.sessionPartitions()),
                        TOPIC_READY_TIMEOUT);
            }
            record("topics", t, "Topics (created and every partition answering)");

            if (options.withRegistry()) {
                t = System.nanoTime();
                // A temporary stack is gone on close anyway; a kept one must keep the ids its records carry.
                registry = temporaryDataDir
                        ? EmbeddedSchemaRegistry.start(HOST, options.schemaRegistryPort())
                        : EmbeddedSchemaRegistry.start(HOST, options.schemaRegistryPort(), dataDir.resolve("registry"));
                toClose.push(registry);
                record("schema-registry", t, "Schema registry on " + registry.url());
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        if (pgFuture != null) {
            try {
                postgres = pgFuture.join();
                // Stopped last: under everything else on the close stack.
                toClose.addLast(postgres);
            } catch (CompletionException e) {
                RuntimeException pgFailure = e.getCause() instanceof RuntimeException re
                        ? re : new IllegalStateException("Embedded PostgreSQL did not start", e.getCause());
                if (failure == null) {
                    failure = pgFailure;
                } else {
                    failure.addSuppressed(pgFailure);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private synchronized void record(String component, long startNanos, String what) {
        Duration took = elapsed(startNanos);
        startupTimes.put(component, took);
        LOG.info("{} ready in {} ms", what, took.toMillis());
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private String summary() {
        StringBuilder sb = new StringBuilder("kafka=").append(bootstrapServers());
        if (registry != null) {
            sb.append(", registry=").append(registry.url());
        }
        if (postgres != null) {
            sb.append(", postgres=").append(postgres.jdbcUrl());
        }
        return sb.toString();
    }

    /** @return {@code 127.0.0.1:<port>} of the broker's client listener */
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /**
     * @return base URL of the schema registry, e.g. {@code http://127.0.0.1:40123}
     * @throws IllegalStateException if the stack was started without the registry
     */
    public String schemaRegistryUrl() {
        if (registry == null) {
            throw new IllegalStateException("The stack was started without a schema registry (Options.withRegistry=false)");
        }
        return registry.url();
    }

    /**
     * @return JDBC URL of database {@code postgres}, e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres}
     * @throws IllegalStateException if the stack was started without PostgreSQL
     */
    public String jdbcUrl() {
        return requirePostgres().jdbcUrl();
    }

    /** @return the PostgreSQL superuser name ({@code postgres}) */
    public String jdbcUser() {
        requirePostgres();
        return EmbeddedPostgresServer.SUPERUSER;
    }

    /** @return the superuser's password (authentication is {@code trust} on loopback; any value works) */
    public String jdbcPassword() {
        requirePostgres();
        return EmbeddedPostgresServer.PASSWORD;
    }

    /** @return a new, non-pooled data source for database {@code postgres} as the superuser */
    public DataSource postgresDataSource() {
        return requirePostgres().dataSource();
    }

    private EmbeddedPostgresServer requirePostgres() {
        if (postgres == null) {
            throw new IllegalStateException("The stack was started without PostgreSQL (Options.withPostgres=false)");
        }
        return postgres;
    }

    /** @return the directory holding the stack's state (temporary unless {@link Options#dataDir()} was given) */
    public Path dataDir() {
        return dataDir;
    }

    /** @return partition count of session-events and revocation-commands */
    public int sessionPartitions() {
        return options.sessionPartitions();
    }

    /** @return the topic prefix ({@code ""} for none) */
    public String topicPrefix() {
        return options.topicPrefix();
    }

    /** @return the options this stack was started with */
    public Options options() {
        return options;
    }

    /**
     * @return client settings: {@code bootstrap.servers}, and {@code schema.registry.url} when the registry
     *         runs; a new mutable map on each call, ready to extend with producer/consumer/streams settings
     */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (registry != null) {
            config.put(SCHEMA_REGISTRY_URL_CONFIG, registry.url());
        }
        return config;
    }

    /**
     * @return measured start-up time per component ({@code kafka}, {@code topics}, {@code schema-registry},
     *         {@code postgres} — which runs in parallel with Kafka — and {@code total}), in start order
     */
    public synchronized Map<String, Duration> startupTimes() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(startupTimes));
    }

    /**
     * Stops the registry, then Kafka, then PostgreSQL, and deletes the data directory if it is temporary.
     * Failures are logged and swallowed; calling it again does nothing. A JVM shutdown hook calls it when
     * the program exits without closing the stack.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shutdownInProgress) {
                // the JVM is exiting; the hook may run too and will find the stack closed
            }
        }
        while (!toClose.isEmpty()) {
            AutoCloseable c = toClose.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("Ignoring failure while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
        if (temporaryDataDir) {
            try {
                Utils.delete(dataDir.toFile());
            } catch (IOException e) {
                LOG.warn("Could not delete temporary data directory {}: {}", dataDir, e.toString());
            }
        }
        LOG.info("Embedded stack stopped in {} ms", elapsed(t0).toMillis());
    }

    /**
     * How to start the stack. Build with {@link #builder()}; {@link #defaults()} gives a temporary stack with
     * 12 session partitions, no topic prefix, registry and PostgreSQL on, ephemeral ports.
     *
     * @param dataDir            state directory; {@code null} = temporary, deleted on close
     * @param sessionPartitions  partitions of session-events / revocation-commands, ≥ 1 (DESIGN.md default 12)
     * @param topicPrefix        prepended to every topic name; never {@code null}
     * @param withRegistry       start the embedded schema registry
     * @param withPostgres       start PostgreSQL
     * @param brokerProperties   Kafka broker properties applied over the stack's defaults
     * @param kafkaPort          client listener port, 0 = ephemeral
     * @param schemaRegistryPort registry port, 0 = ephemeral
     * @param postgresPort       PostgreSQL port, 0 = ephemeral
     */
    public record Options(Path dataDir, int sessionPartitions, String topicPrefix, boolean withRegistry,
                          boolean withPostgres, Map<String, String> brokerProperties, int kafkaPort,
                          int schemaRegistryPort, int postgresPort) {
        public Options {
            if (sessionPartitions < 1) {
                throw new IllegalArgumentException("sessionPartitions must be >= 1, was " + sessionPartitions);
            }
            Objects.requireNonNull(topicPrefix, "topicPrefix must not be null (use \"\" for none)");
            brokerProperties = Map.copyOf(Objects.requireNonNull(brokerProperties, "brokerProperties"));
            checkPort("kafkaPort", kafkaPort);
            checkPort("schemaRegistryPort", schemaRegistryPort);
            checkPort("postgresPort", postgresPort);
        }

        private static void checkPort(String name, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + " must be 0 (ephemeral) or 1..65535, was " + port);
            }
        }

        /** @return the default options (see the class comment) */
        public static Options defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        /** @return a builder pre-filled with these options */
        public Builder toBuilder() {
            return new Builder().dataDir(dataDir).sessionPartitions(sessionPartitions).topicPrefix(topicPrefix)
                    .withRegistry(withRegistry).withPostgres(withPostgres).brokerProperties(brokerProperties)
                    .kafkaPort(kafkaPort).schemaRegistryPort(schemaRegistryPort).postgresPort(postgresPort);
        }

        /** Mutable builder of {@link Options}; validation happens in {@link #build()}. */
        public static final class Builder {
            private Path dataDir;
            private int sessionPartitions = TopicNames.DEFAULT_SESSION_PARTITIONS;
            private String topicPrefix = "";
            private boolean withRegistry = true;
            private boolean withPostgres = true;
            private final Map<String, String> brokerProperties = new LinkedHashMap<>();
            private int kafkaPort;
            private int schemaRegistryPort;
            private int postgresPort;

            private Builder() {
            }

            public Builder dataDir(Path dataDir) {
                this.dataDir = dataDir;
                return this;
            }

            public Builder sessionPartitions(int sessionPartitions) {
                this.sessionPartitions = sessionPartitions;
                return this;
            }

            public Builder topicPrefix(String topicPrefix) {
                this.topicPrefix = topicPrefix;
                return this;
            }

            public Builder withRegistry(boolean withRegistry) {
                this.withRegistry = withRegistry;
                return this;
            }

            public Builder withPostgres(boolean withPostgres) {
                this.withPostgres = withPostgres;
                return this;
            }

            /** Adds broker properties (later calls override earlier keys). */
            public Builder brokerProperties(Map<String, String> properties) {
                this.brokerProperties.putAll(properties);
                return this;
            }

            public Builder brokerProperty(String key, String value) {
                this.brokerProperties.put(key, value);
                return this;
            }

            public Builder kafkaPort(int port) {
                this.kafkaPort = port;
                return this;
            }

            public Builder schemaRegistryPort(int port) {
                this.schemaRegistryPort = port;
                return this;
            }

            public Builder postgresPort(int port) {
                this.postgresPort = port;
                return this;
            }

            /** @throws IllegalArgumentException naming the invalid field and the valid range */
            public Options build() {
                return new Options(dataDir, sessionPartitions, topicPrefix, withRegistry, withPostgres,
                        brokerProperties, kafkaPort, schemaRegistryPort, postgresPort);
            }
        }
    }
}
