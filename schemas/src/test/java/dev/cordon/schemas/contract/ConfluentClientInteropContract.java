package dev.cordon.schemas.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cordon.schemas.serde.ConfluentWireFormat;
import dev.cordon.schemas.serde.SpecificAvroSerde;
import dev.cordon.schemas.testing.Records;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient;
import org.apache.flink.avro.shaded.org.apache.avro.Schema;
import org.apache.flink.avro.shaded.org.apache.avro.generic.GenericDatumReader;
import org.apache.flink.avro.shaded.org.apache.avro.generic.GenericDatumWriter;
import org.apache.flink.avro.shaded.org.apache.avro.generic.GenericRecord;
import org.apache.flink.avro.shaded.org.apache.avro.io.BinaryEncoder;
import org.apache.flink.avro.shaded.org.apache.avro.io.DecoderFactory;
import org.apache.flink.formats.avro.registry.confluent.ConfluentSchemaRegistryCoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bytes written by one side are read by the other, both directions, on a real registry: Cordon's
 * {@link SpecificAvroSerde} on one side; on the other the real Confluent client
 * ({@code CachedSchemaRegistryClient} 7.5.3) with Flink's {@code ConfluentSchemaRegistryCoder} for the
 * 5-byte header and Avro {@code GenericDatumWriter}/{@code GenericDatumReader} for the body — all shaded
 * inside {@code org.apache.flink:flink-sql-avro-confluent-registry:2.3.0} (test scope), so neither side
 * shares code with the other. Records cross between the two Avro copies as Avro JSON.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConfluentClientInteropContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private CachedSchemaRegistryClient confluent;

    protected abstract void startRegistry();

    protected abstract String registryUrl();

    protected abstract void stopRegistry();

    @BeforeAll
    void start() {
        startRegistry();
        confluent = new CachedSchemaRegistryClient(registryUrl(), 100);
    }

    @AfterAll
    void stop() {
        stopRegistry();
    }

    @Test
    void shouldReadWithCordonWhatConfluentsClientWrote() throws Exception {
        for (SpecificRecord record : Records.all()) {
            // Given the Confluent client registers the schema under <topic>-value and writes the record
            String topic = "interop-" + UUID.randomUUID();
            byte[] confluentBytes = writeWithConfluent(topic + "-value", record);

            // When Cordon's serde (empty caches) reads those bytes
            SpecificAvroSerde<SpecificRecord> serde = serdeFor(record);
            serde.configure(Map.of("schema.registry.url", registryUrl()), false);
            SpecificRecord read = serde.deserializer().deserialize(topic, confluentBytes);

            // Then it is the same record, and Cordon writing it yields the same framing (magic byte, schema id) and
            // bytes that read back as the same record. (Not necessarily the same bytes: Avro encodes a map's entries
            // in the writer's iteration order, which the JSON round trip on Confluent's side does not keep.)
            assertThat(read).as(record.getSchema().getName()).isEqualTo(record);
            byte[] cordonBytes = serde.serializer().serialize(topic, record);
            assertThat(java.util.Arrays.copyOf(cordonBytes, 5)).as(record.getSchema().getName() + " framing")
                    .isEqualTo(java.util.Arrays.copyOf(confluentBytes, 5));
            assertThat(cordonBytes.length).as(record.getSchema().getName() + " length").isEqualTo(confluentBytes.length);
            assertThat(serde.deserializer().deserialize(topic, cordonBytes)).as(record.getSchema().getName()).isEqualTo(record);
        }
    }

    @Test
    void shouldReadWithConfluentsClientWhatCordonWrote() throws Exception {
        for (SpecificRecord record : Records.all()) {
            // Given Cordon's serde writes a record (auto-registering under <topic>-value)
            String topic = "interop-" + UUID.randomUUID();
            SpecificAvroSerde<SpecificRecord> serde = serdeFor(record);
            serde.configure(Map.of("schema.registry.url", registryUrl()), false);
            byte[] cordonBytes = serde.serializer().serialize(topic, record);

            // When the Confluent side reads the header (schema by id) and the body
            ByteArrayInputStream in = new ByteArrayInputStream(cordonBytes);
            Schema writerSchema = new ConfluentSchemaRegistryCoder(new CachedSchemaRegistryClient(registryUrl(), 10))
                    .readSchema(in);
            GenericRecord read = new GenericDatumReader<GenericRecord>(writerSchema)
                    .read(null, DecoderFactory.get().binaryDecoder(in, null));

            // Then it sees the schema Cordon registered and the same field values, with nothing left over
            assertThat(writerSchema.toString()).isEqualTo(record.getSchema().toString());
            assertThat(in.available()).isZero();
            assertThat(shadedJson(writerSchema, read)).as(record.getSchema().getName()).isEqualTo(json(record));
            assertThat(confluent.getId(topic + "-value",
                    new org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema(
                            record.getSchema().toString())))
                    .isEqualTo(ConfluentWireFormat.schemaId(cordonBytes));
        }
    }

    private byte[] writeWithConfluent(String subject, SpecificRecord record) throws IOException {
        Schema schema = new Schema.Parser().parse(record.getSchema().toString());
        GenericRecord generic = new GenericDatumReader<GenericRecord>(schema)
                .read(null, DecoderFactory.get().jsonDecoder(schema, json(record).toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ConfluentSchemaRegistryCoder(subject, confluent).writeSchema(schema, out);
        BinaryEncoder encoder = org.apache.flink.avro.shaded.org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(generic, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** Avro JSON encoding of a Cordon record (with its logical-type conversions). */
    private static JsonNode json(SpecificRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            JsonEncoder encoder = EncoderFactory.get().jsonEncoder(record.getSchema(), out);
            new SpecificDatumWriter<SpecificRecord>(record.getSchema(), ((SpecificRecordBase) record).getSpecificData())
                    .write(record, encoder);
            encoder.flush();
            return JSON.readTree(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Avro JSON encoding of what the shaded (Confluent-side) Avro read. */
    private static JsonNode shadedJson(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var encoder = org.apache.flink.avro.shaded.org.apache.avro.io.EncoderFactory.get().jsonEncoder(schema, out);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return JSON.readTree(out.toByteArray());
    }

    @SuppressWarnings("unchecked")
    private static SpecificAvroSerde<SpecificRecord> serdeFor(SpecificRecord record) {
        return new SpecificAvroSerde<>((Class<SpecificRecord>) record.getClass());
    }
}
