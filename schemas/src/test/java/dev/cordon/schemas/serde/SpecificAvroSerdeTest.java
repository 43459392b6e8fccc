package dev.cordon.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.SessionEvent;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.schemas.registry.CompatibilityLevel;
import dev.cordon.schemas.registry.RestSchemaRegistryClient;
import dev.cordon.schemas.registry.server.EmbeddedSchemaRegistry;
import dev.cordon.schemas.testing.Records;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Confluent-wire-format serde through the embedded registry. */
@Tag("integration")
class SpecificAvroSerdeTest {
    private static final String TOPIC = "session-events";

    private EmbeddedSchemaRegistry registry;
    private RestSchemaRegistryClient admin;

    @BeforeEach
    void start() {
        registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0);
        admin = RestSchemaRegistryClient.forUrls(registry.url());
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private Map<String, Object> config(Object... keyValues) {
        Map<String, Object> config = new HashMap<>();
        config.put("schema.registry.url", registry.url());
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put((String) keyValues[i], keyValues[i + 1]);
        }
        return config;
    }

    private <T extends SpecificRecord> SpecificAvroSerde<T> serde(Class<T> type, Object... keyValues) {
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(config(keyValues), false);
        return serde;
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> Class<T> classOf(T record) {
        return (Class<T>) record.getClass();
    }

    @Test
    void shouldRoundTripEveryPublishedRecordType() {
        for (SpecificRecord record : Records.all()) {
            SpecificAvroSerde<SpecificRecord> serde = serde(classOf(record));

            String topic = "topic-of-" + record.getSchema().getName();

            byte[] bytes = serde.serializer().serialize(topic, record);

            assertThat(serde.deserializer().deserialize(topic, bytes)).as(record.getSchema().getName()).isEqualTo(record);
        }
        assertThat(admin.getAllSubjects()).hasSize(Records.all().size()).allMatch(s -> s.endsWith("-value"));
    }

    @Test
    void shouldWriteMagicByteThenBigEndianIdThenPlainAvro() {
        // Given
        SpecificAvroSerde<SessionEvent> serde = serde(SessionEvent.class);
        SessionEvent event = Records.sessionEvent();
        admin.register("padding-value", DirectiveChange.getClassSchema()); // so the id is not 1

        // When
        byte[] bytes = serde.serializer().serialize(TOPIC, event);

        // Then
        int id = admin.getId("session-events-value", SessionEvent.getClassSchema());
        assertThat(id).isEqualTo(2);
        byte[] avro = AvroBinary.encode(event);
        byte[] expected = ByteBuffer.allocate(5 + avro.length).put((byte) 0).putInt(id).put(avro).array();
        assertThat(bytes).isEqualTo(expected);
        assertThat(Arrays.copyOf(bytes, 5)).containsExactly(0, 0, 0, 0, 2);
    }

    @Test
    void shouldMapNullToTombstoneBothWays() {
        SpecificAvroSerde<SessionEvent> serde = serde(SessionEvent.class);
        long before = registry.requestCount();

        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
        assertThat(registry.requestCount()).isEqualTo(before);
    }

    @ParameterizedTest
    @CsvSource({
            "io.confluent.kafka.serializers.subject.TopicNameStrategy, false, session-events-value",
            "io.confluent.kafka.serializers.subject.TopicNameStrategy, true, session-events-key",
            "io.confluent.kafka.serializers.subject.RecordNameStrategy, false, dev.cordon.avro.SessionEvent",
            "TopicRecordNameStrategy, false, session-events-dev.cordon.avro.SessionEvent",
            "TOPIC_RECORD_NAME, true, session-events-dev.cordon.avro.SessionEvent"})
    void shouldRegisterUnderTheSubjectTheStrategyNames(String strategy, boolean isKey, String subject) {
        // Given
        SpecificAvroSerde<SessionEvent> serde = new SpecificAvroSerde<>(SessionEvent.class);
        serde.configure(config(isKey ? "key.subject.name.strategy" : "value.subject.name.strategy", strategy), isKey);

        // When
        byte[] bytes = serde.serializer().serialize(TOPIC, Records.sessionEvent());

        // Then
        assertThat(admin.getAllSubjects()).containsExactly(subject);
        assertThat(ConfluentWireFormat.schemaId(bytes)).isEqualTo(admin.getId(subject, SessionEvent.getClassSchema()));
    }

    @Test
    void shouldRefuseAnUnregisteredSchemaWhenAutoRegisterIsOffAndUseItOnceRegistered() {
        // Given
        SpecificAvroSerde<SessionEvent> serde = serde(SessionEvent.class, "auto.register.schemas", false);

        // Then: nothing registered yet
        assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, Records.sessionEvent()))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("the schema of dev.cordon.avro.SessionEvent is not registered under subject "
                        + "'session-events-value' at " + registry.url() + " and auto.register.schemas=false");
        assertThat(admin.getAllSubjects()).isEmpty();

        // When an operator registers it
        int id = admin.register("session-events-value", SessionEvent.getClassSchema());

        // Then the serializer uses it
        assertThat(ConfluentWireFormat.schemaId(serde.serializer().serialize(TOPIC, Records.sessionEvent()))).isEqualTo(id);
    }

    @Test
    void shouldWriteWithTheLatestVersionWhenUseLatestVersionIsOn() throws Exception {
        // Given a newer SessionEvent version (an added field with a default) registered as the latest
        admin.register("session-events-value", SessionEvent.getClassSchema());
        Schema newer = withExtraField(SessionEvent.getClassSchema(), "{\"name\":\"channel\",\"type\":\"string\",\"default\":\"web\"}");
        int newerId = admin.register("session-events-value", newer);
        SpecificAvroSerde<SessionEvent> serde = serde(SessionEvent.class,
                "auto.register.schemas", "false", "use.latest.version", "true");
        SessionEvent event = Records.sessionEvent();

        // When
        byte[] bytes = serde.serializer().serialize(TOPIC, event);

        // Then the newer id is in the header, the payload is the newer shape (with the default), and it reads back
        assertThat(ConfluentWireFormat.schemaId(bytes)).isEqualTo(newerId);
        byte[] avro = Arrays.copyOfRange(bytes, 5, bytes.length);
        assertThat(avro).endsWith(0x06, 'w', 'e', 'b');
        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(event);
        assertThat(admin.getAllVersions("session-events-value")).containsExactly(1, 2);
    }

    @Test
    void shouldRefuseALatestVersionThatCannotReadTheRecord() throws Exception {
        // Given a latest version with a new required field (registered under NONE)
        admin.updateCompatibility("session-events-value", CompatibilityLevel.NONE);
        admin.register("session-events-value",
                withExtraField(SessionEvent.getClassSchema(), "{\"name\":\"channel\",\"type\":\"string\"}"));
        SpecificAvroSerde<SessionEvent> serde = serde(SessionEvent.class,
                "auto.register.schemas", false, "use.latest.version", true);

        // Then
        assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, Records.sessionEvent()))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("use.latest.version=true: the latest version 1 (id 1) of subject "
                        + "'session-events-value' cannot read data written with the record's own schema")
                .hasMessageContaining("channel");
    }

    @Test
    void shouldReadDataWrittenWithANewerCompatibleWriterSchema() throws Exception {
        // Given bytes framed with the id of a newer schema that has an extra field
        Schema newer = withExtraField(SessionEvent.getClassSchema(), "{\"name\":\"channel\",\"type\":\"string\",\"default\":\"web\"}");
        int id = admin.register("session-events-value", newer);
        byte[] current = AvroBinary.encode(Records.sessionEvent());
        byte[] avro = ByteBuffer.allocate(current.length + 4).put(current).put(new byte[] {0x06, 'a', 'p', 'p'}).array();
        byte[] framed = ByteBuffer.allocate(5 + avro.length).put((byte) 0).putInt(id).put(avro).array();

        // When read with the current class
        SessionEvent read = serde(SessionEvent.class).deserializer().deserialize(TOPIC, framed);

        // Then the unknown field is skipped
        assertThat(read).isEqualTo(Records.sessionEvent());
    }

    @Test
    void shouldRefuseAWriterSchemaTheClassCannotRead() {
        int sessionId = admin.register("x", SessionEvent.getClassSchema());
        byte[] framed = ByteBuffer.allocate(5 + 1).put((byte) 0).putInt(sessionId).put((byte) 0).array();

        assertThatThrownBy(() -> serde(DirectiveChange.class).deserializer().deserialize("directive-changes", framed))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("schema id " + sessionId + " (dev.cordon.avro.SessionEvent) cannot be read as "
                        + "dev.cordon.avro.DirectiveChange");
    }

    @Test
    void shouldNameTheProblemWithBadBytes() {
        SpecificAvroSerde<SessionEvent> serde = serde(SessionEvent.class);
        byte[] good = serde.serializer().serialize(TOPIC, Records.sessionEvent());
        byte[] unknownId = good.clone();
        unknownId[4] = 42;

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, "{\"a\":1}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessage("unknown magic byte 0x7b at offset 0; expected 0x00 (Confluent wire format)");
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, unknownId))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("schema id 42 is not registered at " + registry.url());
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, Arrays.copyOf(good, good.length - 4)))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("truncated Avro payload");
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, Arrays.copyOf(good, 3)))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("record of 3 bytes is too short");
    }

    @Test
    void shouldReportAnIncompatibleSchemaOnAutoRegister() throws Exception {
        admin.register("session-events-value",
                withExtraField(SessionEvent.getClassSchema(), "{\"name\":\"gone\",\"type\":\"long\"}"));
        // the current class lacks "gone": BACKWARD is fine (reader ignores it) — so make FORWARD the rule
        admin.updateCompatibility("session-events-value", CompatibilityLevel.FORWARD);
        SpecificAvroSerde<SessionEvent> serde = serde(SessionEvent.class);

        assertThatThrownBy(() -> serde.serializer().serialize(TOPIC, Records.sessionEvent()))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot register the schema of dev.cordon.avro.SessionEvent under subject "
                        + "'session-events-value' at " + registry.url() + ": the schema is incompatible")
                .hasMessageContaining("gone");
    }

    @Test
    void shouldShareOneGivenClientAndHitItsCaches() {
        // Given a serde built on a client, configured without any URL
        RestSchemaRegistryClient client = RestSchemaRegistryClient.forUrls(registry.url());
        SpecificAvroSerde<SessionEvent> serde = new SpecificAvroSerde<>(SessionEvent.class, client);
        serde.configure(Map.of(), false);
        byte[] first = serde.serializer().serialize(TOPIC, Records.sessionEvent());
        long afterFirst = registry.requestCount();

        // When the same schema is written and read again
        byte[] second = serde.serializer().serialize(TOPIC, Records.sessionEvent());
        SessionEvent read = serde.deserializer().deserialize(TOPIC, second);

        // Then no further request: register cached the id and the schema
        assertThat(registry.requestCount()).isEqualTo(afterFirst);
        assertThat(second).isEqualTo(first);
        assertThat(read).isEqualTo(Records.sessionEvent());
    }

    @Test
    void shouldBeSafeToShareAcrossThreads() throws Exception {
        // Given one configured serde and a fresh reader for each thread's records
        SpecificAvroSerde<SessionEvent> serde = serde(SessionEvent.class);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                tasks.add(() -> {
                    int ok = 0;
                    for (int i = 0; i < 300; i++) {
                        SessionEvent event = Records.sessionEvent();
                        event.setSessionId("s-" + thread + "-" + i);
                        byte[] bytes = serde.serializer().serialize(TOPIC, event);
                        if (serde.deserializer().deserialize(TOPIC, bytes).equals(event)) {
                            ok++;
                        }
                    }
                    return ok;
                });
            }
            // When all run at once (the first calls race to fill the caches)
            int total = 0;
            for (Future<Integer> f : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
                total += f.get();
            }
            // Then every record came back intact, and one schema was registered
            assertThat(total).isEqualTo(8 * 300);
            assertThat(admin.getAllVersions("session-events-value")).containsExactly(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldAuthenticateWithConfluentBasicAuthConfig() {
        try (EmbeddedSchemaRegistry secured = EmbeddedSchemaRegistry.startWithBasicAuth("127.0.0.1", 0, "cordon", "pw")) {
            SpecificAvroSerde<SessionEvent> anonymous = new SpecificAvroSerde<>(SessionEvent.class);
            anonymous.configure(Map.of("schema.registry.url", secured.url()), false);
            SpecificAvroSerde<SessionEvent> authorised = new SpecificAvroSerde<>(SessionEvent.class);
            authorised.configure(Map.of("schema.registry.url", secured.url(),
                    "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "cordon:pw"), false);

            assertThatThrownBy(() -> anonymous.serializer().serialize(TOPIC, Records.sessionEvent()))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("Unauthorized (HTTP 401");
            byte[] bytes = authorised.serializer().serialize(TOPIC, Records.sessionEvent());
            assertThat(authorised.deserializer().deserialize(TOPIC, bytes)).isEqualTo(Records.sessionEvent());
        }
    }

    @Test
    void shouldBuildADeserializerByClassNameFromTheSpecificTypeConfig() {
        byte[] bytes = serde(SessionEvent.class).serializer().serialize(TOPIC, Records.sessionEvent());
        SpecificAvroDeserializer<SessionEvent> byName = new SpecificAvroDeserializer<>();
        byName.configure(config("specific.avro.value.type", SessionEvent.class.getName()), false);

        assertThat(byName.deserialize(TOPIC, bytes)).isEqualTo(Records.sessionEvent());
        assertThatThrownBy(() -> new SpecificAvroDeserializer<>().configure(config(), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("specific.avro.value.type");
    }

    @Test
    void shouldRefuseBadConfigAndUseBeforeConfigure() {
        assertThatThrownBy(() -> new SpecificAvroSerde<>(SessionEvent.class).configure(Map.of(), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> new SpecificAvroSerde<>(SessionEvent.class)
                .configure(config("value.subject.name.strategy", "com.example.Mine"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("value.subject.name.strategy")
                .hasMessageContaining("io.confluent.kafka.serializers.subject.TopicNameStrategy");
        assertThatThrownBy(() -> new SpecificAvroSerde<>(SessionEvent.class).serializer().serialize(TOPIC, Records.sessionEvent()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not configured");
    }

    @Test
    void shouldGiveTheTopicCatalogueWorkingValueSerdes() {
        TopicCatalogue topics = TopicCatalogue.create("test.", Map.of("schema.registry.url", registry.url()));

        byte[] bytes = topics.revocationCommands().valueSerde().serializer()
                .serialize(topics.revocationCommands().name(), Records.revocationCommand());

        assertThat(topics.revocationCommands().valueSerde().deserializer().deserialize(topics.revocationCommands().name(), bytes))
                .isEqualTo(Records.revocationCommand());
        assertThat(admin.getAllSubjects()).containsExactly("test.revocation-commands-value");
    }

    private static Schema withExtraField(Schema schema, String fieldJson) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode tree = (ObjectNode) json.readTree(schema.toString());
        tree.withArray("fields").add(json.readTree(fieldJson));
        return new Schema.Parser().parse(tree.toString());
    }
}
