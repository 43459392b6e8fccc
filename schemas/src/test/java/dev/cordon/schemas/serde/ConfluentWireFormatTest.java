package dev.cordon.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cordon.avro.SessionEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Framing checks that need no registry: they fail before any schema is fetched. */
class ConfluentWireFormatTest {

    @Test
    void shouldReadTheBigEndianSchemaId() {
        assertThat(ConfluentWireFormat.schemaId(new byte[] {0, 0x01, 0x02, 0x03, 0x04, 0x55})).isEqualTo(0x01020304);
        assertThat(ConfluentWireFormat.schemaId(new byte[] {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe}))
                .isEqualTo(-2);
    }

    @Test
    void shouldRefuseJsonWithTheUnknownMagicByte() {
        // Given a deserializer pointed at a registry it will never need to contact
        SpecificAvroDeserializer<SessionEvent> deserializer = new SpecificAvroDeserializer<>(SessionEvent.class);
        deserializer.configure(Map.of("schema.registry.url", "http://127.0.0.1:9"), false);
        byte[] json = "{\"sessionId\":\"s-1\"}".getBytes(StandardCharsets.UTF_8);

        // Then
        assertThatThrownBy(() -> deserializer.deserialize("session-events", json))
                .isInstanceOf(SerializationException.class)
                .hasMessage("unknown magic byte 0x7b at offset 0; expected 0x00 (Confluent wire format)");
    }

    @Test
    void shouldRefuseARecordShorterThanTheHeader() {
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessage("record of 3 bytes is too short for the Confluent wire format header (5 bytes: magic byte "
                        + "0x00, then a 4-byte big-endian schema id)");
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId(new byte[0]))
                .isInstanceOf(SerializationException.class).hasMessageStartingWith("record of 0 bytes is too short");
    }
}
