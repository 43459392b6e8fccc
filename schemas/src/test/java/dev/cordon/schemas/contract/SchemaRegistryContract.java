package dev.cordon.schemas.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cordon.schemas.registry.CompatibilityLevel;
import dev.cordon.schemas.registry.CompatibilityResult;
import dev.cordon.schemas.registry.RestSchemaRegistryClient;
import dev.cordon.schemas.registry.SchemaMetadata;
import dev.cordon.schemas.registry.SchemaRegistryClient;
import dev.cordon.schemas.registry.SchemaRegistryException;
import dev.cordon.schemas.serde.ConfluentWireFormat;
import dev.cordon.schemas.serde.SpecificAvroSerde;
import dev.cordon.schemas.testing.Records;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The one contract suite of Cordon's registry client ({@link RestSchemaRegistryClient}) and serde
 * ({@link SpecificAvroSerde}), run against every registry implementation a subclass starts: what the
 * Confluent Schema Registry API reference documents (reference/schema-registry.md §3) and nothing that
 * only one implementation does. Each test uses its own subjects, so one registry serves the whole class.
 *
 * <p>Subclasses start the registry in {@link #startRegistry()} (once per class) and may set its global
 * compatibility: the suite sets it to {@code BACKWARD} (Confluent's default; Apicurio's is {@code NONE})
 * before any assertion.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SchemaRegistryContract {
    static final Schema V1 = SchemaBuilder.record("Thing").namespace("contract").fields()
            .requiredString("id").requiredInt("size").endRecord();
    static final Schema V2_ADDS_FIELD_WITH_DEFAULT = SchemaBuilder.record("Thing").namespace("contract").fields()
            .requiredString("id").requiredInt("size").name("owner").type().stringType().stringDefault("-").endRecord();
    static final Schema V2_ADDS_REQUIRED_FIELD = SchemaBuilder.record("Thing").namespace("contract").fields()
            .requiredString("id").requiredInt("size").requiredString("colour").endRecord();

    protected SchemaRegistryClient client;
    private String subject;

    /** Starts the registry under test (once per class). */
    protected abstract void startRegistry();

    /** @return its Confluent-API base URL */
    protected abstract String registryUrl();

    /** Stops it. */
    protected abstract void stopRegistry();

    @BeforeAll
    void startAndSetBackward() {
        startRegistry();
        client = RestSchemaRegistryClient.forUrls(registryUrl());
        assertThat(client.updateGlobalCompatibility(CompatibilityLevel.BACKWARD)).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @AfterAll
    void stop() {
        if (client != null) {
            client.close();
        }
        stopRegistry();
    }

    @BeforeEach
    void freshSubject() {
        subject = "contract-" + UUID.randomUUID() + "-value";
    }

    /** A client with empty caches, so every call below really goes to the server. */
    private SchemaRegistryClient fresh() {
        return RestSchemaRegistryClient.forUrls(registryUrl());
    }

    @Test
    void shouldReportBackwardAsTheGlobalLevelOnceSet() {
        assertThat(fresh().getGlobalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @Test
    void shouldRegisterIdempotentlyAndLookUpTheSameId() {
        // Given a registered schema
        int id = client.register(subject, V1);

        // When it is registered again and looked up by a client with empty caches
        SchemaRegistryClient other = fresh();
        int again = other.register(subject, V1);
        int looked = other.getId(subject, V1);

        // Then the id is the same every time
        assertThat(again).isEqualTo(id);
        assertThat(looked).isEqualTo(id);
        assertThat(other.getAllVersions(subject)).containsExactly(1);
    }

    @Test
    void shouldGiveAnIdenticalSchemaTheSameIdUnderAnotherSubject() {
        int id = client.register(subject, V1);

        int underOther = fresh().register("other-" + subject, V1);

        assertThat(underOther).isEqualTo(id);
    }

    @Test
    void shouldServeTheRegisteredSchemaById() {
        int id = client.register(subject, V2_ADDS_FIELD_WITH_DEFAULT);

        Schema served = fresh().getSchemaById(id);

        assertThat(served).isEqualTo(V2_ADDS_FIELD_WITH_DEFAULT);
    }

    @Test
    void shouldListVersionsInOrderAndServeEachWithItsId() {
        // Given two compatible versions
        int id1 = client.register(subject, V1);
        int id2 = client.register(subject, V2_ADDS_FIELD_WITH_DEFAULT);

        // When read back
        SchemaRegistryClient other = fresh();
        SchemaMetadata latest = other.getLatestSchemaMetadata(subject);
        SchemaMetadata first = other.getSchemaMetadata(subject, 1);

        // Then versions 1 and 2 carry their own ids and schemas
        assertThat(id2).isNotEqualTo(id1);
        assertThat(other.getAllVersions(subject)).containsExactly(1, 2);
        assertThat(latest.version()).isEqualTo(2);
        assertThat(latest.id()).isEqualTo(id2);
        assertThat(latest.schema()).isEqualTo(V2_ADDS_FIELD_WITH_DEFAULT);
        assertThat(first.id()).isEqualTo(id1);
        assertThat(first.schema()).isEqualTo(V1);
        assertThat(other.getAllSubjects()).contains(subject);
    }

    @Test
    void shouldRefuseAnIncompatibleSchemaWith409UnderBackward() {
        client.register(subject, V1);

        assertThatThrownBy(() -> client.register(subject, V2_ADDS_REQUIRED_FIELD))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
                });
        assertThat(fresh().getAllVersions(subject)).containsExactly(1);
    }

    @Test
    void shouldAnswerCompatibilityTestsAgainstTheLatestVersion() {
        client.register(subject, V1);

        assertThat(client.testCompatibility(subject, V2_ADDS_FIELD_WITH_DEFAULT)).isTrue();
        assertThat(client.testCompatibility(subject, V2_ADDS_REQUIRED_FIELD)).isFalse();
        CompatibilityResult verbose = client.testCompatibilityVerbose(subject, V2_ADDS_REQUIRED_FIELD);
        assertThat(verbose.compatible()).isFalse();
    }

    @Test
    void shouldKeepASubjectLevelApartFromTheGlobalOne() {
        client.register(subject, V1);

        // FORWARD, not NONE: Apicurio 2.6 stores a subject-level NONE as "no subject rule", so the global
        // BACKWARD still applies there, whereas Confluent lets NONE override it. Cordon never sets NONE.
        CompatibilityLevel set = client.updateCompatibility(subject, CompatibilityLevel.FORWARD);

        assertThat(set).isEqualTo(CompatibilityLevel.FORWARD);
        assertThat(fresh().getCompatibility(subject)).isEqualTo(CompatibilityLevel.FORWARD);
        assertThat(fresh().getGlobalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
        // and the subject now accepts what BACKWARD refused (old readers can read the new field's data)
        assertThat(client.register(subject, V2_ADDS_REQUIRED_FIELD)).isPositive();
    }

    @Test
    void shouldAnswerMissingThingsWithConfluentErrorCodes() {
        client.register(subject, V1);
        SchemaRegistryClient other = fresh();

        assertThatThrownBy(() -> other.getSchemaById(Integer.MAX_VALUE - 7))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
                });
        assertThatThrownBy(() -> other.getLatestSchemaMetadata("missing-" + subject))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SUBJECT_NOT_FOUND));
        assertThatThrownBy(() -> other.getSchemaMetadata(subject, 7))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.VERSION_NOT_FOUND));
        assertThatThrownBy(() -> other.getId(subject, V2_ADDS_FIELD_WITH_DEFAULT))
                .isInstanceOfSatisfying(SchemaRegistryException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND));
    }

    @Test
    void shouldSoftDeleteASubjectAndForgetIt() {
        client.register(subject, V1);
        client.register(subject, V2_ADDS_FIELD_WITH_DEFAULT);

        assertThat(client.deleteSubject(subject)).containsExactly(1, 2);

        assertThat(fresh().getAllSubjects()).doesNotContain(subject);
        assertThatThrownBy(() -> fresh().getLatestSchemaMetadata(subject)).isInstanceOf(SchemaRegistryException.class);
    }

    @Test
    void shouldRoundTripEveryPublishedRecordThroughTheSerdeUnderTopicNameSubjects() {
        for (SpecificRecord record : Records.all()) {
            // Given Cordon's serde on this registry, auto-registering like Confluent's
            String topic = "contract-" + UUID.randomUUID();
            SpecificAvroSerde<SpecificRecord> serde = serdeFor(record);
            serde.configure(Map.of("schema.registry.url", registryUrl()), false);

            // When a record is written and read back by a serde with empty caches
            byte[] bytes = serde.serializer().serialize(topic, record);
            SpecificAvroSerde<SpecificRecord> reader = serdeFor(record);
            reader.configure(Map.of("schema.registry.url", registryUrl()), false);
            SpecificRecord read = reader.deserializer().deserialize(topic, bytes);

            // Then it is equal, framed with the id the registry gave the schema under <topic>-value
            assertThat(read).as(record.getSchema().getName()).isEqualTo(record);
            assertThat(bytes[0]).isEqualTo(ConfluentWireFormat.MAGIC_BYTE);
            assertThat(ConfluentWireFormat.schemaId(bytes))
                    .isEqualTo(fresh().getId(topic + "-value", record.getSchema()));
        }
    }

    @Test
    void shouldWriteWithARegisteredSchemaWhenAutoRegisterIsOff() {
        // Given the schema registered by someone else (an operator, a CI job)
        String topic = "contract-" + UUID.randomUUID();
        int id = client.register(topic + "-value", Records.revocationCommand().getSchema());
        SpecificAvroSerde<SpecificRecord> serde = serdeFor(Records.revocationCommand());
        serde.configure(Map.of("schema.registry.url", registryUrl(), "auto.register.schemas", false), false);

        // When the serde writes without registering
        byte[] bytes = serde.serializer().serialize(topic, Records.revocationCommand());

        // Then it found and used that id, and registered nothing new
        assertThat(ConfluentWireFormat.schemaId(bytes)).isEqualTo(id);
        assertThat(fresh().getAllVersions(topic + "-value")).containsExactly(1);
    }

    @Test
    void shouldRefuseToWriteAnUnregisteredSchemaWhenAutoRegisterIsOff() {
        String topic = "contract-" + UUID.randomUUID();
        SpecificAvroSerde<SpecificRecord> serde = serdeFor(Records.sessionEvent());
        serde.configure(Map.of("schema.registry.url", registryUrl(), "auto.register.schemas", false), false);

        assertThatThrownBy(() -> serde.serializer().serialize(topic, Records.sessionEvent()))
                .isInstanceOf(RuntimeException.class);
        assertThat(fresh().getAllSubjects()).doesNotContain(topic + "-value");
    }

    @SuppressWarnings("unchecked")
    private static SpecificAvroSerde<SpecificRecord> serdeFor(SpecificRecord record) {
        return new SpecificAvroSerde<>((Class<SpecificRecord>) record.getClass());
    }
}
