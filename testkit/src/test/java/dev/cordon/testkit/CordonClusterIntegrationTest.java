package dev.cordon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import dev.cordon.schemas.TopicNames;
import dev.cordon.schemas.serde.SpecificAvroSerde;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The integration tests every backend must pass: the same code runs on Testcontainers (when Docker is
 * available) and on the embedded stack; the backend is printed (surefire's output file) and published as
 * the report entry {@code cordon.cluster}.
 */
@WithCordonCluster
class CordonClusterIntegrationTest {

    private static SessionEvent session(String id) {
        return SessionEvent.newBuilder()
                .setSessionId(id).setType(SessionEventType.STARTED).setResource("fable-5").setGatewayId("gw-1")
                .setOccurredAt(Instant.parse("2026-11-26T12:00:00Z"))
                .setSubject(Subject.newBuilder().setUserId("u-" + id).setOrgId("acme").setNationality(List.of("DE"))
                        .setResidenceCountry("DE").setLocationCountry("DE").setRole(List.of("customer")).setAttributes(Map.of()).build())
                .build();
    }

    @Test
    void shouldProduceAndConsumeSessionEventsThroughTheRegistrySerde(CordonCluster cluster) {
        // Given Cordon's serde on the cluster's registry and a unique session id
        String topic = cluster.topicPrefix() + TopicNames.SESSION_EVENTS;
        String id = "s-" + UUID.randomUUID();
        SpecificAvroSerde<SessionEvent> serde = new SpecificAvroSerde<>(SessionEvent.class);
        serde.configure(Map.of("schema.registry.url", cluster.schemaRegistryUrl()), false);

        // When a session event is produced idempotently and read back read_committed
        try (KafkaProducer<String, SessionEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(topic, id, session(id))).get();
        } catch (Exception e) {
            throw new AssertionError("produce failed", e);
        }
        List<SessionEvent> read = new ArrayList<>();
        try (KafkaConsumer<String, SessionEvent> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), serde.deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.stream().noneMatch(e -> e.getSessionId().equals(id)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, SessionEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    read.add(r.value());
                }
            }
        }

        // Then the same record comes back
        assertThat(read).filteredOn(e -> e.getSessionId().equals(id)).containsExactly(session(id));
    }

    @Test
    void shouldHaveEveryCordonTopicCreatedExplicitlyAndNoneAutoCreated(CordonCluster cluster) throws Exception {
        Set<String> expected = TopicNames.specs(cluster.topicPrefix(), cluster.sessionPartitions()).stream()
                .map(TopicNames.TopicSpec::name).collect(Collectors.toSet());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).containsAll(expected);
        }
        String unknown = "not-a-cordon-topic-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(), ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000),
                new StringSerializer(), new StringSerializer())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(unknown, "k", "v")).get())
                    .hasStackTraceContaining(unknown);
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).doesNotContain(unknown);
        }
    }

    @Test
    void shouldCreateEveryCordonTopicUnderAPrefixOfItsOwnWithTheAskedPartitions(CordonCluster cluster) throws Exception {
        // Given a prefix no other test uses
        String prefix = "tk" + UUID.randomUUID().toString().substring(0, 8) + ".";
        // When its topics are created (twice: the second call finds them and accepts them)
        cluster.createTopics(prefix, 2);
        cluster.createTopics(prefix, 2);
        // Then every spec exists with its partition count
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            Map<String, Integer> partitions = admin.describeTopics(TopicNames.specs(prefix, 2).stream()
                    .map(TopicNames.TopicSpec::name).toList()).allTopicNames().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().partitions().size()));
            assertThat(partitions).isEqualTo(TopicNames.specs(prefix, 2).stream()
                    .collect(Collectors.toMap(TopicNames.TopicSpec::name, TopicNames.TopicSpec::partitions)));
        }
        // and another partition count under the same prefix is refused (naming one of the two session-keyed topics)
        assertThatThrownBy(() -> cluster.createTopics(prefix, 3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(prefix).hasMessageContaining("exists with 2 partitions but 3 are expected");
    }

    @Test
    void shouldCreateAnEmptyDatabaseReachableByTheUrlItReturns(CordonCluster cluster) throws Exception {
        // Given
        String name = "tk_" + UUID.randomUUID().toString().replace("-", "");
        // When
        String url = cluster.createDatabase(name);
        // Then
        assertThat(url).isEqualTo(cluster.jdbcUrl(name));
        try (Connection c = java.sql.DriverManager.getConnection(url, cluster.jdbcUser(), cluster.jdbcPassword());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_database(), count(*) FROM pg_tables WHERE schemaname = 'public'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(name);
            assertThat(rs.getInt(2)).isZero();
        }
        assertThatThrownBy(() -> cluster.createDatabase(name)).isInstanceOf(java.sql.SQLException.class);
        assertThatThrownBy(() -> cluster.createDatabase("x; DROP DATABASE postgres"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("database name");
    }

    @Test
    void shouldAnswerSqlOnThePostgresServer(CordonCluster cluster) throws Exception {
        String table = "t_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = cluster.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, name TEXT NOT NULL)");
            s.execute("INSERT INTO " + table + " VALUES (1, 'fable-5'), (2, 'mythos-5')");
            try (ResultSet rs = s.executeQuery("SELECT string_agg(name, ',' ORDER BY id), current_setting('server_version_num')::int FROM " + table)) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("fable-5,mythos-5");
                assertThat(rs.getInt(2)).isGreaterThanOrEqualTo(140000);
            }
        }
    }
}
