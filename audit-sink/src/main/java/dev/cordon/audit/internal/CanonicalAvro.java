package dev.cordon.audit.internal;

import dev.cordon.avro.AuditEvent;
import dev.cordon.schemas.serde.AvroBinary;
import java.io.IOException;
import java.util.HexFormat;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/**
 * The canonical bytes of an {@link AuditEvent}: plain Avro binary encoding (Avro 1.12 specification,
 * "Binary Encoding") of the record with this build's {@code AuditEvent} schema, without the
 * Confluent framing (magic byte + schema id differ between registries), as produced by
 * {@link AvroBinary#encode}. Decoding here is generic (no class loading), for the verifier's checks.
 */
public final class CanonicalAvro {
    /** {@code avro:} + 16 lower-case hex digits of the schema's CRC-64-AVRO parsing-form fingerprint. */
    public static final String PAYLOAD_FORMAT = "avro:" + HexFormat.of().toHexDigits(
            SchemaNormalization.parsingFingerprint64(AuditEvent.getClassSchema()));
    /** Schema text stored next to {@link #PAYLOAD_FORMAT} in {@code audit_payload_schemas}. */
    public static final String SCHEMA_JSON = AuditEvent.getClassSchema().toString();

    // Generic reading needs no class loading; used for checks, not for building records.
    private static final GenericDatumReader<GenericRecord> READER =
            new GenericDatumReader<>(AuditEvent.getClassSchema(), AuditEvent.getClassSchema(), GenericData.get());

    private CanonicalAvro() {
    }

    /**
     * @return Avro binary of {@code event} (no framing), by {@link AvroBinary#encode}
     * @throws org.apache.kafka.common.errors.SerializationException if a field holds a value its schema forbids
     */
    public static byte[] encode(AuditEvent event) {
        return AvroBinary.encode(event);
    }

    /**
     * @param bytes Avro binary written with the schema of {@link #PAYLOAD_FORMAT}
     * @return the event as a generic record (timestamps as epoch-ms {@code Long}, strings as {@code Utf8})
     * @throws IOException if the bytes are not such an encoding
     */
    public static GenericRecord decode(byte[] bytes) throws IOException {
        var dec = DecoderFactory.get().binaryDecoder(bytes, null);
        GenericRecord e = READER.read(null, dec);
        if (!dec.isEnd()) {
            throw new IOException("trailing bytes after the AuditEvent");
        }
        return e;
    }
}
