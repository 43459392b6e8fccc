package dev.cordon.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cordon.avro.SessionEvent;
import dev.cordon.schemas.registry.server.EmbeddedSchemaRegistry;
import dev.cordon.schemas.serde.ConfluentWireFormat;
import dev.cordon.schemas.serde.SpecificAvroSerde;
import dev.cordon.schemas.testing.Records;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Contract test with an independent implementation: Confluent's own {@code CachedSchemaRegistryClient}
 * 7.5.3 (shaded inside {@code org.apache.flink:flink-sql-avro-confluent-registry}, test scope only)
 * against the embedded registry, and against what Cordon's serde writes.
 */
@Tag("integration")
class ConfluentClientContractTest {
    private EmbeddedSchemaRegistry registry;
    private CachedSchemaRegistryClient confluent;

    @BeforeEach
    void start() {
        registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0);
        confluent = new CachedSchemaRegistryClient(registry.url(), 100);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static AvroSchema avro(Schema schema) {
        return new AvroSchema(schema.toString());
    }

    @Test
    void shouldServeConfluentsClientForEveryOperationCordonUses() throws Exception {
        AvroSchema v1 = avro(CompatibilityLevelTest.V1);
        AvroSchema v2 = avro(CompatibilityLevelTest.ADD_WITH_DEFAULT);

        int id1 = confluent.register("things-value", v1);
        int id2 = confluent.register("things-value", v2);
        CachedSchemaRegistryClient fresh = new CachedSchemaRegistryClient(registry.url(), 100);

        assertThat(fresh.getId("things-value", v1)).isEqualTo(id1);
        assertThat(fresh.getSchemaById(id2).canonicalString()).isEqualTo(v2.canonicalString());
        assertThat(fresh.getLatestSchemaMetadata("things-value").getId()).isEqualTo(id2);
        assertThat(fresh.getLatestSchemaMetadata("things-value").getVersion()).isEqualTo(2);
        assertThat(fresh.getSchemaMetadata("things-value", 1).getSchema()).isEqualTo(v1.canonicalString());
        assertThat(fresh.getAllVersions("things-value")).containsExactly(1, 2);
        assertThat(fresh.getAllSubjects()).containsExactly("things-value");
        AvroSchema newRequired = avro(org.apache.avro.SchemaBuilder.record("Thing").namespace("t").fields()
                .requiredString("id").requiredInt("size").name("owner").type().stringType().stringDefault("-")
                .requiredString("colour").endRecord());
        assertThat(fresh.testCompatibility("things-value", v2)).isTrue();
        assertThat(fresh.testCompatibility("things-value", newRequired)).isFalse();
        assertThat(fresh.testCompatibilityVerbose("things-value", newRequired))
                .singleElement().asString().contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("colour");
        assertThat(fresh.deleteSubject("things-value", false)).containsExactly(1, 2);
    }

    @Test
    void shouldGiveConfluentsClientConfluentErrorCodes() {
        assertThatThrownBy(() -> confluent.getSchemaById(4242))
                .isInstanceOfSatisfying(RestClientException.class, e -> {
                    assertThat(e.getStatus()).isEqualTo(404);
                    assertThat(e.getErrorCode()).isEqualTo(40403);
                });
        assertThatThrownBy(() -> confluent.getLatestSchemaMetadata("nope"))
                .isInstanceOfSatisfying(RestClientException.class, e -> assertThat(e.getErrorCode()).isEqualTo(40401));
    }

    @Test
    void shouldAgreeWithConfluentsClientOnIdsAndSubjectsOfWhatCordonWrites() throws Exception {
        // Given Cordon's serde writes a SessionEvent to session-events
        SpecificAvroSerde<SessionEvent> serde = new SpecificAvroSerde<>(SessionEvent.class);
        serde.configure(Map.of("schema.registry.url", registry.url()), false);
        byte[] bytes = serde.serializer().serialize("session-events", Records.sessionEvent());

        // Then Confluent's client finds that schema under Confluent's TopicNameStrategy subject, with the header's id
        int id = ConfluentWireFormat.schemaId(bytes);
        assertThat(confluent.getId("session-events-value", avro(SessionEvent.getClassSchema()))).isEqualTo(id);
        assertThat(new Schema.Parser().parse(confluent.getSchemaById(id).canonicalString()))
                .isEqualTo(SessionEvent.getClassSchema());
    }

    @Test
    void shouldAuthenticateConfluentsClientWithTheSameConfigNames() throws Exception {
        try (EmbeddedSchemaRegistry secured = EmbeddedSchemaRegistry.startWithBasicAuth("127.0.0.1", 0, "u", "p")) {
            CachedSchemaRegistryClient authorised = new CachedSchemaRegistryClient(List.of(secured.url()), 10,
                    Map.of("basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "u:p"));
            CachedSchemaRegistryClient anonymous = new CachedSchemaRegistryClient(secured.url(), 10);

            assertThat(authorised.getAllSubjects()).isEmpty();
            assertThatThrownBy(anonymous::getAllSubjects)
                    .isInstanceOfSatisfying(RestClientException.class, e -> assertThat(e.getStatus()).isEqualTo(401));
        }
    }
}
