package dev.cordon.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cordon.audit.internal.CanonicalAvro;
import dev.cordon.audit.tools.EventView;
import dev.cordon.avro.AuditEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * The AuditEvent schema evolves (FULL_TRANSITIVE): entries written by another schema version carry another
 * payload format, and the auditor's tools must still read them with the writer schema the trail stores.
 */
class PayloadSchemaEvolutionTest {

    /** This build's schema with one field renamed in its doc only would keep the fingerprint; add a field instead. */
    private static Schema otherVersion() {
        String json = AuditEvent.getClassSchema().toString().replaceFirst("\"fields\":\\[",
                "\"fields\":[{\"name\":\"writtenByTest\",\"type\":\"string\",\"default\":\"x\"},");
        return new Schema.Parser().parse(json);
    }

    private static byte[] encode(Schema schema, String sessionId) throws IOException {
        GenericRecord r = new GenericData.Record(schema);
        r.put("writtenByTest", "yes");
        r.put("eventId", "enforcement-stream/0/1");
        r.put("type", new GenericData.EnumSymbol(schema.getField("type").schema(), "SESSION_STARTED"));
        r.put("component", "enforcement-stream");
        r.put("sourcePartition", 0);
        r.put("sequence", 1L);
        r.put("occurredAt", 1_795_000_000_000L);
        r.put("sessionId", sessionId);
        r.put("details", Map.of("resource", "fable-5"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(r, enc);
        enc.flush();
        return out.toByteArray();
    }

    private static AuditEntry entry(String format, byte[] payload) {
        return new AuditEntry(1, 1L, "SESSION_STARTED", "enforcement-stream/0/1", "enforcement-stream", 0, 1L,
                1_795_000_000_000L, null, "s-old", "audit-log", 0, 0, 1L, null, format, payload, null,
                EntryHasher.genesis(), null);
    }

    @Test
    void shouldReadAnEntryOfAnotherSchemaVersionOnceItsWriterSchemaIsRegistered() throws IOException {
        // Given an entry written with another version of the schema
        Schema other = otherVersion();
        String format = CanonicalAvro.formatOf(other);
        assertThat(format).isNotEqualTo(CanonicalAvro.PAYLOAD_FORMAT);
        AuditEntry e = entry(format, encode(other, "s-old"));
        assertThat(EventView.of(e)).as("unknown format: not decodable yet").isNull();

        // When the trail's stored writer schema is registered
        CanonicalAvro.registerSchema(format, other.toString());

        // Then the tools read it
        EventView v = EventView.of(e);
        assertThat(v).isNotNull();
        assertThat(v.type()).isEqualTo("SESSION_STARTED");
        assertThat(v.sessionId()).isEqualTo("s-old");
        assertThat(v.details()).containsEntry("resource", "fable-5");
    }

    @Test
    void shouldRefuseASchemaThatIsNotTheOneItsFormatNames() {
        assertThatThrownBy(() -> CanonicalAvro.registerSchema("avro:0123456789abcdef", otherVersion().toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("avro:0123456789abcdef")
                .hasMessageContaining("not the schema of that format");
    }
}
