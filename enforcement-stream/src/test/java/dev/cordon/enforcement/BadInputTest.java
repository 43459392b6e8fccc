package dev.cordon.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.ImpactKind;
import dev.cordon.avro.SessionEventType;
import dev.cordon.schemas.registry.RestSchemaRegistryClient;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 3 §3: on each input topic, records with no magic byte, an unknown schema id, a schema-incompatible payload,
 * truncated Avro or missing required fields go to dead-letters with provenance headers and an {@code INPUT_UNREADABLE}
 * audit entry; the records before and after are processed normally.
 */
class BadInputTest {
    private final Harness h = new Harness();

    @AfterEach
    void close() {
        h.close();
    }

    enum Corruption { NO_MAGIC_BYTE, UNKNOWN_SCHEMA_ID, SCHEMA_INCOMPATIBLE, TRUNCATED_AVRO, MISSING_REQUIRED_FIELDS }

    enum Input { SESSION_EVENTS, DIRECTIVE_CHANGES, DIRECTIVE_IMPACTS }

    static Stream<Arguments> cases() {
        return Stream.of(Input.values()).flatMap(i -> Stream.of(Corruption.values()).map(c -> Arguments.of(i, c)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void shouldDeadLetterAndAuditTheBadRecordAndProcessTheOnesAroundIt(Input input, Corruption corruption) {
        // Given a good record before
        h.send(h.restrict("BIS-1", 1, Harness.foreignNationals()).build());
        h.advanceInSteps(100, 10);
        h.start("before", "fable-5", "DE");
        assertThat(h.drainCommands()).containsExactly("DENY before BIS-1 1");
        h.drainAudit();

        // When a bad record arrives on the input
        String topic = switch (input) {
            case SESSION_EVENTS -> h.topics.sessionEvents().name();
            case DIRECTIVE_CHANGES -> h.topics.directiveChanges().name();
            case DIRECTIVE_IMPACTS -> h.topics.directiveImpacts().name();
        };
        TestInputTopic<byte[], byte[]> raw = h.driver.createInputTopic(topic, new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
        byte[] bad = corrupt(input, corruption, topic);
        raw.pipeInput(new TestRecord<>("bad-key".getBytes(), bad, h.now()));

        // Then it is dead-lettered with provenance, and audited
        var dead = h.deadLetters.readRecordsToList();
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(r.value()).isEqualTo(bad);
            assertThat(header(r, "cordon.dlq.topic")).isEqualTo(topic);
            assertThat(header(r, "cordon.dlq.partition")).isEqualTo("0");
            assertThat(header(r, "cordon.dlq.offset")).isNotNull();
            assertThat(header(r, "cordon.dlq.exception")).isNotBlank();
        });
        List<AuditEvent> audits = h.drainAudit();
        assertThat(audits).filteredOn(a -> a.getType() == AuditEventType.INPUT_UNREADABLE).singleElement()
                .satisfies(a -> assertThat(a.getDetails()).containsEntry("topic", topic).containsKey("exception"));

        // And the records after it are processed normally
        h.start("after", "mythos-5", "CN");
        h.send(h.restrict("BIS-2", 1, Harness.scope(List.of("haiku-4"), List.of(), List.of())).build());
        h.advanceInSteps(100, 10);
        h.start("after-2", "haiku-4", "US");
        assertThat(h.drainCommands()).containsExactly("DENY after BIS-1 1", "DENY after-2 BIS-2 1");
        h.send(h.restrict("BIS-3", 1, Harness.foreignNationals()).setMode(DirectiveMode.DRY_RUN).setRequestId("r").build());
        h.advanceInSteps(100, 10);
        assertThat(h.impacts.readValuesToList()).anyMatch(i -> i.getKind() == ImpactKind.AGGREGATE && i.getDirectiveId().equals("BIS-3"));
    }

    private byte[] corrupt(Input input, Corruption corruption, String topic) {
        byte[] good = switch (input) {
            case SESSION_EVENTS -> h.topics.sessionEvents().valueSerde().serializer().serialize(topic,
                    h.event("x", SessionEventType.STARTED, "fable-5", Harness.subject("u", List.of("DE"), List.of())));
            case DIRECTIVE_CHANGES -> h.topics.directiveChanges().valueSerde().serializer().serialize(topic,
                    h.restrict("BIS-9", 1, Harness.foreignNationals()).build());
            case DIRECTIVE_IMPACTS -> h.topics.directiveImpacts().valueSerde().serializer().serialize(topic,
                    EnforcementTopologyTestSupport.partial());
        };
        return switch (corruption) {
            case NO_MAGIC_BYTE -> {
                byte[] b = good.clone();
                b[0] = 7;
                yield b;
            }
            case UNKNOWN_SCHEMA_ID -> {
                byte[] b = good.clone();
                ByteBuffer.wrap(b, 1, 4).putInt(0x7fff_fff0);
                yield b;
            }
            case TRUNCATED_AVRO -> Arrays.copyOf(good, 5 + (good.length - 5) / 2);
            case SCHEMA_INCOMPATIBLE -> framed(register(topic + "-other", SchemaBuilder.record("Other").namespace("x.y")
                    .fields().requiredLong("n").endRecord()), rec -> rec.put("n", 42L));
            case MISSING_REQUIRED_FIELDS -> {
                // a writer schema of the same record name carrying only its first field: the reader's required fields have no default
                Schema full = switch (input) {
                    case SESSION_EVENTS -> dev.cordon.avro.SessionEvent.getClassSchema();
                    case DIRECTIVE_CHANGES -> dev.cordon.avro.DirectiveChange.getClassSchema();
                    case DIRECTIVE_IMPACTS -> dev.cordon.avro.DirectiveImpact.getClassSchema();
                };
                Schema.Field first = full.getFields().get(0);
                Schema partial = Schema.createRecord(full.getName(), null, full.getNamespace(), false,
                        List.of(new Schema.Field(first.name(), Schema.create(Schema.Type.STRING), null, (Object) null)));
                yield framed(register(topic + "-partial", partial), rec -> rec.put(first.name(), "only-this"));
            }
        };
    }

    private static int register(String subject, Schema schema) {
        try (RestSchemaRegistryClient client = RestSchemaRegistryClient.forUrls(Harness.registryUrl())) {
            return client.register(subject, schema);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] framed(int id, java.util.function.Consumer<GenericRecord> fill) {
        try {
            Schema schema;
            try (RestSchemaRegistryClient client = RestSchemaRegistryClient.forUrls(Harness.registryUrl())) {
                schema = client.getSchemaById(id);
            }
            GenericRecord rec = new GenericData.Record(schema);
            fill.accept(rec);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt(id).array());
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(schema).write(rec, enc);
            enc.flush();
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String header(TestRecord<byte[], byte[]> r, String key) {
        var header = r.headers().lastHeader(key);
        return header == null ? null : new String(header.value());
    }

    /** A readable PARTIAL impact report. */
    static final class EnforcementTopologyTestSupport {
        static dev.cordon.avro.DirectiveImpact partial() {
            return dev.cordon.avro.DirectiveImpact.newBuilder()
                    .setDirectiveId("BIS-7").setRevision(1).setChangeId("c").setRequestId(null).setMode(DirectiveMode.ENFORCE)
                    .setKind(ImpactKind.PARTIAL).setPartition(0).setPartitionCount(1).setPartitionsReported(1)
                    .setCovered(0).setRevoked(0).setCountsByResource(java.util.Map.of()).setCountsByNationality(java.util.Map.of())
                    .setCountsByRole(java.util.Map.of()).setSampleSessionIds(List.of())
                    .setAcceptedAt(Harness.T0).setSweepStartedAt(Harness.T0).setCompletedAt(Harness.T0)
                    .setFirstRevocationAt(null).setLastRevocationAt(null).build();
        }
    }
}
