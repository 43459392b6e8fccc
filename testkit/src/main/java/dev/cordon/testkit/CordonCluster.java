package dev.cordon.testkit;

import dev.cordon.schemas.TopicNames;
import dev.cordon.schemas.admin.TopicAdmin;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;

/**
 * The cluster an integration test gets from {@link CordonClusterExtension}: a Kafka broker (KRaft,
 * {@code auto.create.topics.enable=false}) with every Cordon topic of
 * {@link dev.cordon.schemas.TopicNames#specs(String, int)} created explicitly, a Confluent-API schema registry,
 * and a PostgreSQL server — either Testcontainers ({@link Backend#CONTAINERS}: {@code apache/kafka},
 * {@code confluentinc/cp-schema-registry}, {@code postgres}) or the in-JVM embedded stack
 * ({@link Backend#EMBEDDED}). Tests written against this interface run unchanged on both.
 *
 * <p>The cluster lives for the whole test run and is shared by every test class of the run. A class that needs
 * topics or a database of its own (to count what is on a topic, or to start from an empty schema) creates them
 * under a name no other class uses: {@link #createTopics(String, int)}, {@link #createDatabase(String)}.
 */
public interface CordonCluster {

    /** Which implementation runs the cluster. */
    enum Backend {
        /** Docker containers via Testcontainers: real Confluent Schema Registry, PostgreSQL image. */
        CONTAINERS,
        /** The embedded stack: in-JVM KRaft broker, Cordon's in-process registry, embedded PostgreSQL. */
        EMBEDDED
    }

    /** @return the backend running this cluster */
    Backend backend();

    /** @return why this backend was chosen (e.g. "Docker not available: …"), as printed at start */
    String backendReason();

    /** @return Kafka bootstrap servers reachable from the test JVM, {@code host:port} */
    String bootstrapServers();

    /** @return the schema registry base URL reachable from the test JVM */
    String schemaRegistryUrl();

    /** @return JDBC URL of a database the test may use freely */
    String jdbcUrl();

    /** @return a PostgreSQL role that may create databases, schemas and roles */
    String jdbcUser();

    /** @return its password */
    String jdbcPassword();

    /** @return the prefix of the Cordon topic names ({@code ""}) */
    default String topicPrefix() {
        return "";
    }

    /** @return partitions of session-events and revocation-commands */
    int sessionPartitions();

    /** @return a new JDBC connection to {@link #jdbcUrl()} */
    default Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), jdbcUser(), jdbcPassword());
    }

    /**
     * Creates every Cordon topic of {@link TopicNames#specs(String, int)} under {@code prefix} that does not exist
     * yet, and waits until each partition answers (as {@code cordon topics create} does, via
     * {@link TopicAdmin#createTopics}).
     *
     * @param prefix            prepended to every topic name, e.g. {@code "audit-it-3."}
     * @param sessionPartitions partitions of session-events and revocation-commands (≥ 1)
     * @throws IllegalStateException if a topic exists with another partition count
     * @throws org.apache.kafka.common.errors.TimeoutException if the partitions are not ready within 60 s
     */
    default void createTopics(String prefix, int sessionPartitions) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            TopicAdmin.createTopics(admin, TopicNames.specs(prefix, sessionPartitions), Duration.ofSeconds(60));
        }
    }

    /**
     * Creates an empty database, owned by {@link #jdbcUser()}, on the cluster's PostgreSQL server.
     *
     * @param name a new database name: lower-case letters, digits and {@code _}, starting with a letter
     * @return its JDBC URL (same server and parameters as {@link #jdbcUrl()})
     * @throws IllegalArgumentException if {@code name} is not such a name
     * @throws SQLException if the server refuses (e.g. the database exists)
     */
    default String createDatabase(String name) throws SQLException {
        if (!Pattern.matches("[a-z][a-z0-9_]{0,62}", name)) {
            throw new IllegalArgumentException("database name '" + name
                    + "': expected lower-case letters, digits and '_', starting with a letter, at most 63 characters");
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return jdbcUrl(name);
    }

    /**
     * @param database a database name on the cluster's PostgreSQL server
     * @return {@link #jdbcUrl()} with its database replaced by {@code database} (query parameters kept)
     */
    default String jdbcUrl(String database) {
        String url = jdbcUrl();
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String params = query < 0 ? "" : url.substring(query);
        return base.substring(0, base.lastIndexOf('/') + 1) + database + params;
    }

    /** @return {@code bootstrap.servers} and {@code schema.registry.url}, in a new mutable map */
    default Map<String, Object> clientConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("bootstrap.servers", bootstrapServers());
        config.put("schema.registry.url", schemaRegistryUrl());
        return config;
    }

    /** @return one line naming the backend, its addresses and the reason, as the extension prints it */
    default String describe() {
        return "Cordon test cluster: backend=" + backend() + " (" + backendReason() + "); kafka=" + bootstrapServers()
                + ", registry=" + schemaRegistryUrl() + ", postgres=" + jdbcUrl();
    }
}
