package dev.cordon.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.schemas.testing.Records;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroBinaryTest {

    @Test
    void shouldRoundTripEveryPublishedRecordType() {
        for (SpecificRecord record : Records.all()) {
            byte[] bytes = AvroBinary.encode(record);

            assertThat(AvroBinary.decode(bytes, record.getClass())).as(record.getSchema().getName()).isEqualTo(record);
        }
    }

    @Test
    void shouldEncodeExactlyThePlainAvroBinaryWithoutFraming() throws Exception {
        // Given the record written by Avro's own writer, by hand
        AuditEvent event = Records.auditEvent();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(expected, null);
        new SpecificDatumWriter<AuditEvent>(AuditEvent.getClassSchema()).write(event, encoder);
        encoder.flush();

        // Then the canonical bytes are those bytes; the eventId string comes first (zig-zag length, then UTF-8)
        byte[] bytes = AvroBinary.encode(event);
        assertThat(bytes).isEqualTo(expected.toByteArray());
        assertThat(bytes[0]).isEqualTo((byte) (2 * "enforcement-stream/3/17".length()));
        assertThat(new String(bytes, 1, 23, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("enforcement-stream/3/17");
    }

    @Test
    void shouldReportATruncatedPayload() {
        byte[] bytes = AvroBinary.encode(Records.revocationCommand());
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);

        assertThatThrownBy(() -> AvroBinary.decode(truncated, RevocationCommand.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("truncated Avro payload: " + truncated.length + " bytes ended before a complete "
                        + "dev.cordon.avro.RevocationCommand value");
    }

    @Test
    void shouldReportTrailingBytes() {
        byte[] bytes = AvroBinary.encode(Records.revocationCommand());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);

        assertThatThrownBy(() -> AvroBinary.decode(longer, RevocationCommand.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("2 trailing bytes after the value");
    }

    @Test
    void shouldReportMalformedData() {
        // a negative string length (zig-zag 0x01 = -1) where commandId's length belongs
        assertThatThrownBy(() -> AvroBinary.decode(new byte[] {0x01, 0x00}, RevocationCommand.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("malformed Avro payload for dev.cordon.avro.RevocationCommand");
    }

    @Test
    void shouldRefuseToEncodeANullInARequiredField() {
        RevocationCommand broken = Records.revocationCommand();
        broken.setCommandId(null);

        assertThatThrownBy(() -> AvroBinary.encode(broken))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("cannot encode dev.cordon.avro.RevocationCommand as Avro");
    }

    @Test
    void shouldDecodeBytesOfAnEarlierWriterSchemaByResolution() {
        // Given bytes written by a version of RevocationCommand that had no changeId field (v0)
        Schema current0 = RevocationCommand.getClassSchema();
        Schema v0 = Schema.createRecord(current0.getName(), current0.getDoc(), current0.getNamespace(), false,
                current0.getFields().stream().filter(f -> !f.name().equals("changeId"))
                        .map(f -> new Schema.Field(f, f.schema())).toList());
        assertThat(v0.getField("changeId")).isNull();
        RevocationCommand current = Records.revocationCommand();
        current.setChangeId(null);
        byte[] v0Bytes = Arrays.copyOf(AvroBinary.encode(current), AvroBinary.encode(current).length - 1);

        // When decoded with the v0 writer schema
        RevocationCommand read = AvroBinary.decode(v0Bytes, v0, RevocationCommand.class);

        // Then the missing field takes its default
        assertThat(read).isEqualTo(current);
    }

    @Test
    void shouldServeInternalStoresWithPlainAvroAndNullForNull() {
        Serde<AuditEvent> serde = new InternalAvroSerde<>(AuditEvent.class);
        AuditEvent event = Records.auditEvent();

        byte[] bytes = serde.serializer().serialize("store-changelog", event);

        assertThat(bytes).isEqualTo(AvroBinary.encode(event));
        assertThat(serde.deserializer().deserialize("store-changelog", bytes)).isEqualTo(event);
        assertThat(serde.serializer().serialize("store-changelog", null)).isNull();
        assertThat(serde.deserializer().deserialize("store-changelog", null)).isNull();
    }
}
