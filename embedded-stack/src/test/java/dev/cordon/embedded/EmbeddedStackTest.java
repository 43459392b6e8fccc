package dev.cordon.embedded;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import dev.cordon.schemas.TopicNames;
import dev.cordon.schemas.serde.SpecificAvroSerde;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedStackTest {
    private static final int SESSION_PARTITIONS = 4;
    private static EmbeddedStack stack;
    private static Admin admin;

    @BeforeAll
    static void startStack() {
        stack = EmbeddedStack.start(EmbeddedStack.Options.builder()
                .sessionPartitions(SESSION_PARTITIONS)
                .withRegistry(TestSupport.registryAvailable())
                .build());
        admin = Admin.create(stack.clientConfig());
    }

    @AfterAll
    static void stopStack() {
        if (admin != null) {
            admin.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldCreateEveryTopicWithItsRequiredConfigs() throws Exception {
        // Given the specs Cordon requires
        List<TopicNames.TopicSpec> specs = TopicNames.specs("", SESSION_PARTITIONS);
        Set<String> names = specs.stream().map(TopicNames.TopicSpec::name).collect(Collectors.toSet());

        // When the topics are described
        Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
        Map<ConfigResource, Config> configs = admin.describeConfigs(names.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList()).all().get(30, TimeUnit.SECONDS);

        // Then each has its partition count and every required config
        for (TopicNames.TopicSpec spec : specs) {
            assertThat(descriptions.get(spec.name()).partitions()).as(spec.name()).hasSize(spec.partitions());
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            spec.configs().forEach((key, value) ->
                    assertThat(config.get(key).value()).as(spec.name() + " " + key).isEqualTo(value));
        }
        assertThat(descriptions.get(TopicNames.SESSION_EVENTS).partitions()).hasSize(SESSION_PARTITIONS);
        Config audit = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, TopicNames.AUDIT_LOG));
        assertThat(audit.get("cleanup.policy").value()).isEqualTo("delete");
        assertThat(audit.get("retention.ms").value()).isEqualTo("-1");
        for (String input : List.of(TopicNames.SESSION_EVENTS, TopicNames.DIRECTIVE_CHANGES)) {
            assertThat(configs.get(new ConfigResource(ConfigResource.Type.TOPIC, input))
                    .get("message.timestamp.type").value()).as(input).isEqualTo("LogAppendTime");
        }
    }

    @Test
    void shouldNotAutoCreateTopics() throws Exception {
        // Given a topic nobody created
        String name = "never-created-" + UUID.randomUUID();

        // When the broker config is read
        String brokerId = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().idString();
        Config broker = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER, brokerId)))
                .all().get(30, TimeUnit.SECONDS).values().iterator().next();

        // Then auto-create is off and the topic does not exist
        assertThat(broker.get("auto.create.topics.enable").value()).isEqualTo("false");
        assertThat(broker.get("listeners").value()).doesNotContain("0.0.0.0").contains("127.0.0.1");
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(name);
    }

    @Test
    void shouldDeliverOnlyCommittedTransactionsToReadCommittedConsumer() throws Exception {
        // Given a topic and a transactional producer
        String topic = "tx-round-trip-" + UUID.randomUUID();
        dev.cordon.schemas.admin.TopicAdmin.createTopics(admin,
                List.of(new TopicNames.TopicSpec(topic, 2, Map.of())), Duration.ofSeconds(30));
        Map<String, Object> producerConfig = stack.clientConfig();
        producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + UUID.randomUUID());
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();

            // When one transaction is aborted and one committed
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k1", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k1", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "k2", "committed-2"));
            producer.commitTransaction();
        }

        // Then a read_committed consumer sees exactly the committed records
        List<String> seen = consumeValues(topic, 2);
        assertThat(seen).containsExactlyInAnyOrder("committed-1", "committed-2");
    }

    @Test
    void shouldRunKafkaStreamsWithExactlyOnceV2(@TempDir Path stateDir) throws Exception {
        // Given input and output topics and an exactly_once_v2 Streams app copying upper-cased values
        String in = "eos-in-" + UUID.randomUUID();
        String out = "eos-out-" + UUID.randomUUID();
        dev.cordon.schemas.admin.TopicAdmin.createTopics(admin, List.of(new TopicNames.TopicSpec(in, 2, Map.of()),
                new TopicNames.TopicSpec(out, 2, Map.of())), Duration.ofSeconds(30));
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()).withName("read-input"))
                .mapValues(v -> v.toUpperCase(java.util.Locale.ROOT), Named.as("upper-case"))
                .to(out, Produced.with(Serdes.String(), Serdes.String()).withName("write-output"));
        Properties props = new Properties();
        props.putAll(stack.clientConfig());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "eos-" + UUID.randomUUID());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.start();
            await("streams running").atMost(Duration.ofSeconds(60))
                    .until(() -> streams.state() == KafkaStreams.State.RUNNING);

            // When records arrive on the input
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(stack.clientConfig(), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(in, "a", "one")).get(30, TimeUnit.SECONDS);
                producer.send(new ProducerRecord<>(in, "b", "two")).get(30, TimeUnit.SECONDS);
            }

            // Then their transformed values are committed to the output
            assertThat(consumeValues(out, 2)).containsExactlyInAnyOrder("ONE", "TWO");
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    @Test
    void shouldServeTheSchemaRegistryWhenAvailable() throws Exception {
        // Given a schemas jar whose embedded registry is implemented (skipped while it is a placeholder)
        assumeTrue(TestSupport.registryAvailable(), "EmbeddedSchemaRegistry is still a placeholder");

        // When its subjects are listed
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.schemaRegistryUrl() + "/subjects")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        // Then it answers on loopback, and clients get its URL
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(stack.schemaRegistryUrl()).startsWith("http://127.0.0.1:");
        assertThat(stack.clientConfig()).containsEntry("schema.registry.url", stack.schemaRegistryUrl());
    }

    @Test
    void shouldAnswerSelectOneOnPostgres() throws Exception {
        // Given the stack's data source
        // When a trivial query runs
        try (Connection c = stack.postgresDataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select 1, current_user, current_database()")) {
            // Then PostgreSQL answers as the superuser on database postgres
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(1);
            assertThat(rs.getString(2)).isEqualTo(stack.jdbcUser());
            assertThat(rs.getString(3)).isEqualTo("postgres");
        }
        assertThat(stack.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:").endsWith("/postgres");
    }

    @Test
    void shouldKeepRecordsAndTablesWhenRestartedOnSameDataDir(@TempDir Path dataDir) throws Exception {
        // Given a persistent stack with a record and a table
        EmbeddedStack.Options options = EmbeddedStack.Options.builder()
                .dataDir(dataDir).sessionPartitions(2).topicPrefix("persist.").withRegistry(false).build();
        String topic = "persist." + TopicNames.DIRECTIVE_CHANGES;
        try (EmbeddedStack first = EmbeddedStack.start(options)) {
            Map<String, Object> producerConfig = first.clientConfig();
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(topic, "D-1", "kept")).get(30, TimeUnit.SECONDS);
            }
            try (Connection c = first.postgresDataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("create table kept_rows(id int primary key, v text)");
                s.execute("insert into kept_rows values (1, 'still here')");
            }
        }

        // When a new stack starts on the same directory
        try (EmbeddedStack second = EmbeddedStack.start(options)) {
            // Then the record and the table are still there
            List<String> values = consumeValues(second, topic, 1);
            assertThat(values).containsExactly("kept");
            try (Connection c = second.postgresDataSource().getConnection();
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select v from kept_rows where id = 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("still here");
            }
            assertThat(second.dataDir()).isEqualTo(dataDir.toAbsolutePath());
        }
        assertThat(dataDir).exists();
    }

    @Test
    void shouldReadAvroRecordsWrittenBeforeARestartOnSameDataDir(@TempDir Path dataDir) throws Exception {
        // Given a persistent stack with a SessionEvent written through SpecificAvroSerde (registering its schema)
        assumeTrue(TestSupport.registryAvailable(), "EmbeddedSchemaRegistry is still a placeholder");
        EmbeddedStack.Options options = EmbeddedStack.Options.builder()
                .dataDir(dataDir).sessionPartitions(1).topicPrefix("avro.").withPostgres(false).build();
        String topic = "avro." + TopicNames.SESSION_EVENTS;
        SessionEvent written = SessionEvent.newBuilder()
                .setSessionId("s-restart").setType(SessionEventType.STARTED).setResource("fable-5")
                .setGatewayId("gw-eu-1").setOccurredAt(Instant.parse("2026-11-26T12:00:00Z"))
                .setSubject(Subject.newBuilder().setUserId("u-1").setOrgId("acme").setNationality(List.of("DE"))
                        .setRole(List.of("customer")).setAttributes(Map.of("tier", "gold")).build())
                .build();
        try (EmbeddedStack first = EmbeddedStack.start(options);
             SpecificAvroSerde<SessionEvent> serde = sessionEventSerde(first);
             KafkaProducer<String, SessionEvent> producer =
                     new KafkaProducer<>(first.clientConfig(), new StringSerializer(), serde.serializer())) {
            producer.send(new ProducerRecord<>(topic, written.getSessionId(), written)).get(30, TimeUnit.SECONDS);
        }

        // When a new stack starts on the same directory, and another schema is registered first
        try (EmbeddedStack second = EmbeddedStack.start(options);
             SpecificAvroSerde<SessionEvent> serde = sessionEventSerde(second)) {
            String other = new ObjectMapper().writeValueAsString(Map.of("schema",
                    "{\"type\":\"record\",\"name\":\"Unrelated\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}"));
            HttpResponse<String> registered = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(second.schemaRegistryUrl() + "/subjects/unrelated-value/versions"))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .POST(HttpRequest.BodyPublishers.ofString(other)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);

            // Then the record written before the restart reads back with the same serde config
            Map<String, Object> config = second.clientConfig();
            config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            List<SessionEvent> read = new ArrayList<>();
            try (KafkaConsumer<String, SessionEvent> consumer =
                         new KafkaConsumer<>(config, new StringDeserializer(), serde.deserializer())) {
                consumer.subscribe(List.of(topic));
                await("the SessionEvent written before the restart").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.value()));
                    assertThat(read).isNotEmpty();
                });
            }
            assertThat(read).containsExactly(written);
            assertThat(registered.body()).isEqualTo("{\"id\":2}");
            assertThat(second.dataDir().resolve("registry").resolve("schemas.jsonl")).isNotEmptyFile();
        }
    }

    private static SpecificAvroSerde<SessionEvent> sessionEventSerde(EmbeddedStack on) {
        SpecificAvroSerde<SessionEvent> serde = new SpecificAvroSerde<>(SessionEvent.class);
        serde.configure(on.clientConfig(), false);
        return serde;
    }

    @Test
    void shouldStopEverythingOnCloseAndTolerateASecondClose() {
        // Given a running stack without registry
        EmbeddedStack own = EmbeddedStack.start(EmbeddedStack.Options.builder()
                .sessionPartitions(1).withRegistry(false).build());
        String[] hostPort = own.bootstrapServers().split(":");
        Path dir = own.dataDir();
        String jdbcUrl = own.jdbcUrl();
        int pgPort = Integer.parseInt(jdbcUrl.substring(jdbcUrl.lastIndexOf(':') + 1, jdbcUrl.lastIndexOf('/')));
        assertThat(canConnect(hostPort[0], Integer.parseInt(hostPort[1]))).isTrue();

        // When it is closed twice
        own.close();
        assertThatCode(own::close).doesNotThrowAnyException();

        // Then no server answers any more and the temporary directory is gone
        assertThat(canConnect(hostPort[0], Integer.parseInt(hostPort[1]))).isFalse();
        assertThat(canConnect("127.0.0.1", pgPort)).isFalse();
        assertThat(dir).doesNotExist();
    }

    private static boolean canConnect(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static List<String> consumeValues(String topic, int expected) {
        return consumeValues(stack, topic, expected);
    }

    static List<String> consumeValues(EmbeddedStack on, String topic, int expected) {
        Map<String, Object> config = on.clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await("records on " + topic).atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                assertThat(values).hasSizeGreaterThanOrEqualTo(expected);
            });
            // Anything beyond the expected records (e.g. an aborted one) would show up in one more poll.
            consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
        }
        return values;
    }
}
