package dev.cordon.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.avro.SessionEvent;
import dev.cordon.schemas.registry.SchemaRegistryException;
import dev.cordon.schemas.registry.server.EmbeddedSchemaRegistry;
import java.io.EOFException;
import java.net.ServerSocket;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class DecodeFailuresTest {

    @Test
    void shouldCallAnUnreachableRegistryEnvironmental() throws Exception {
        // Given a deserializer pointed at a port nobody listens on
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SpecificAvroSerde<SessionEvent> serde = new SpecificAvroSerde<>(SessionEvent.class);
        serde.configure(Map.of("schema.registry.url", "http://127.0.0.1:" + port), false);
        // When it reads a well-framed record
        Throwable failure = null;
        try {
            serde.deserializer().deserialize("t", new byte[] {0, 0, 0, 0, 7, 2, 0});
        } catch (RuntimeException e) {
            failure = e;
        }
        // Then the failure is the environment's, not the record's
        assertThat(failure).isNotNull();
        assertThat(DecodeFailures.isEnvironmental(failure)).isTrue();
    }

    @Test
    void shouldCallAnUnknownSchemaIdAndATruncatedPayloadTheRecordsFault() {
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0)) {
            SpecificAvroSerde<SessionEvent> serde = new SpecificAvroSerde<>(SessionEvent.class);
            serde.configure(Map.of("schema.registry.url", registry.url()), false);
            Throwable unknownId = catchFailure(() -> serde.deserializer().deserialize("t", new byte[] {0, 0, 0, 0, 42, 2}));
            assertThat(unknownId).isNotNull();
            assertThat(DecodeFailures.isEnvironmental(unknownId)).isFalse();
        }
        assertThat(DecodeFailures.isEnvironmental(new SerializationException("truncated Avro payload", new EOFException())))
                .isFalse();
        assertThat(DecodeFailures.isEnvironmental(new SchemaRegistryException("x", 404, 40403, "u", null))).isFalse();
        assertThat(DecodeFailures.isEnvironmental(new SchemaRegistryException("x", 503, 50301, "u", null))).isTrue();
    }

    private static Throwable catchFailure(Runnable r) {
        try {
            r.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }
}
