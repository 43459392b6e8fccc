package dev.cordon.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cluster an integration test gets from {@link CordonClusterExtension}: a Kafka broker (KRaft,
 * {@code auto.create.topics.enable=false}) with every Cordon topic of
 * {@link dev.cordon.schemas.TopicNames#specs(String, int)} created explicitly, a Confluent-API schema registry,
 * and a PostgreSQL server — either Testcontainers ({@link Backend#CONTAINERS}: {@code apache/kafka},
 * {@code confluentinc/cp-schema-registry}, {@code postgres}) or the in-JVM embedded stack
 * ({@link Backend#EMBEDDED}). Tests written against this interface run unchanged on both.
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
