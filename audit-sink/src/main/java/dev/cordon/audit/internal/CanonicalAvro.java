package dev.cordon.audit.internal;

import dev.cordon.avro.AuditEvent;
import dev.cordon.schemas.serde.AvroBinary;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
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
 *
 * <p>The schema evolves ({@code FULL_TRANSITIVE}, DESIGN.md "Directive document"): entries written by an older or
 * newer sink carry another {@code payload_format}. Their writer schema is in {@code audit_payload_schemas} (and in
 * an export bundle's header); {@link #registerSchema} makes it decodable here after checking that its fingerprint
 * is the one the format names, so a trail keeps being readable across schema versions.
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

    /** Readers by payload format: this build's schema, plus writer schemas registered from the trail. */
    private static final Map<String, GenericDatumReader<GenericRecord>> READERS = new ConcurrentHashMap<>(
            Map.of(PAYLOAD_FORMAT, READER));

    private CanonicalAvro() {
    }

    /** @return the payload format ({@code avro:<fingerprint>}) of a schema */
    public static String formatOf(Schema schema) {
        return "avro:" + HexFormat.of().toHexDigits(SchemaNormalization.parsingFingerprint64(schema));
    }

    /**
     * Makes entries of {@code format} decodable with their writer schema.
     *
     * @param format     {@code payload_format} of the entries
     * @param schemaJson the writer schema (from {@code audit_payload_schemas} or a bundle header)
     * @throws IllegalArgumentException if the schema does not parse or its fingerprint is not the one {@code format}
     *                                  names (a schema row that does not belong to its format)
     */
    public static void registerSchema(String format, String schemaJson) {
        if (READERS.containsKey(format)) {
            return;
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(schemaJson);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("payload schema of " + format + " does not parse: " + e.getMessage(), e);
        }
        String actual = formatOf(schema);
        if (!actual.equals(format)) {
            throw new IllegalArgumentException("payload schema stored for " + format + " has fingerprint " + actual
                    + ": it is not the schema of that format");
        }
        READERS.put(format, new GenericDatumReader<>(schema, schema, GenericData.get()));
    }

    /**
     * Registers every schema of {@code audit_payload_schemas} (see {@link #registerSchema}); a row whose schema is
     * not the one its format names is logged and skipped (its entries stay covered by their hashes only).
     *
     * @return the registered rows, format → schema JSON
     */
    public static Map<String, String> registerSchemas(Connection c) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT payload_format, schema_json FROM audit_payload_schemas ORDER BY payload_format");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        Map<String, String> registered = new LinkedHashMap<>();
        out.forEach((format, schema) -> {
            try {
                registerSchema(format, schema);
                registered.put(format, schema);
            } catch (IllegalArgumentException e) {
                org.slf4j.LoggerFactory.getLogger(CanonicalAvro.class).warn("audit_payload_schemas: {}", e.getMessage());
            }
        });
        return registered;
    }

    /** @return whether entries of {@code format} can be decoded (this build's schema, or a registered one) */
    public static boolean canDecode(String format) {
        return format != null && READERS.containsKey(format);
    }

    /**
     * @param format the entry's {@code payload_format}
     * @param bytes  its payload
     * @return the event as a generic record, read with the writer schema of {@code format}
     * @throws IOException if the format is unknown or the bytes are not such an encoding
     */
    public static GenericRecord decode(String format, byte[] bytes) throws IOException {
        GenericDatumReader<GenericRecord> reader = format == null ? null : READERS.get(format);
        if (reader == null) {
            throw new IOException("unknown payload format " + format + " (its schema is not registered)");
        }
        var dec = DecoderFactory.get().binaryDecoder(bytes, null);
        GenericRecord e = reader.read(null, dec);
        if (!dec.isEnd()) {
            throw new IOException("trailing bytes after the AuditEvent");
        }
        return e;
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
