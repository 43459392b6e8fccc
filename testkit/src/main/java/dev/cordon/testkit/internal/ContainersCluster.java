package dev.cordon.testkit.internal;

import dev.cordon.schemas.TopicNames;
import dev.cordon.schemas.admin.TopicAdmin;
import dev.cordon.testkit.CordonCluster;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * {@link CordonCluster} on Testcontainers, with the images docker-compose.yml uses: {@value #KAFKA_IMAGE} (KRaft,
 * auto-create off; a second listener {@code kafka:19092} on the containers' network for the registry),
 * {@value #REGISTRY_IMAGE} (its store on that listener) and {@value #POSTGRES_IMAGE}. Topics are created with
 * {@link TopicAdmin}, as {@code cordon topics create} does.
 */
public final class ContainersCluster implements CordonCluster, AutoCloseable {
    public static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    public static final String REGISTRY_IMAGE = "confluentinc/cp-schema-registry:7.9.0";
    public static final String POSTGRES_IMAGE = "postgres:16";

    private final Network network;
    private final KafkaContainer kafka;
    private final GenericContainer<?> registry;
    private final PostgreSQLContainer<?> postgres;
    private final int sessionPartitions;
    private final String reason;

    private ContainersCluster(Network network, KafkaContainer kafka, GenericContainer<?> registry,
                              PostgreSQLContainer<?> postgres, int sessionPartitions, String reason) {
        this.network = network;
        this.kafka = kafka;
        this.registry = registry;
        this.postgres = postgres;
        this.sessionPartitions = sessionPartitions;
        this.reason = reason;
    }

    /**
     * Starts the three containers (PostgreSQL in parallel with Kafka, the registry once Kafka answers) and
     * creates the topics.
     *
     * @throws IllegalStateException when a container does not start; those already started are stopped
     */
    @SuppressWarnings("resource")
    public static ContainersCluster start(int sessionPartitions, String reason) {
        Network network = Network.newNetwork();
        KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
                .withNetwork(network)
                .withNetworkAliases("kafka")
                .withListener("kafka:19092")
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        PostgreSQLContainer<?> postgres = new PostgreSQLContainer<>(DockerImageName.parse(POSTGRES_IMAGE))
                .withNetwork(network)
                .withDatabaseName("cordon")
                .withUsername("cordon_owner")
                .withPassword("cordon-test");
        GenericContainer<?> registry = new GenericContainer<>(DockerImageName.parse(REGISTRY_IMAGE))
                .withNetwork(network)
                .withNetworkAliases("schema-registry")
                .withExposedPorts(8081)
                .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
                .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
                .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
                .dependsOn(kafka)
                .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));
        ContainersCluster cluster = new ContainersCluster(network, kafka, registry, postgres, sessionPartitions, reason);
        try {
            postgres.start();
            registry.start(); // starts kafka first (dependsOn)
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.getBootstrapServers()))) {
                TopicAdmin.createTopics(admin, TopicNames.specs("", sessionPartitions), Duration.ofSeconds(60));
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw new IllegalStateException("Testcontainers cluster did not start: " + e.getMessage(), e);
        }
    }

    @Override
    public Backend backend() {
        return Backend.CONTAINERS;
    }

    @Override
    public String backendReason() {
        return reason;
    }

    @Override
    public String bootstrapServers() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String schemaRegistryUrl() {
        return "http://" + registry.getHost() + ":" + registry.getMappedPort(8081);
    }

    @Override
    public String jdbcUrl() {
        return postgres.getJdbcUrl();
    }

    @Override
    public String jdbcUser() {
        return postgres.getUsername();
    }

    @Override
    public String jdbcPassword() {
        return postgres.getPassword();
    }

    @Override
    public int sessionPartitions() {
        return sessionPartitions;
    }

    @Override
    public void close() {
        registry.stop();
        kafka.stop();
        postgres.stop();
        network.close();
    }
}
