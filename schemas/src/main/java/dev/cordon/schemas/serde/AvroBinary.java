package dev.cordon.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Cordon's canonical encoding of a record: the plain Avro binary encoding (Avro spec, "Binary
 * Encoding") of the record with its own schema, without Confluent framing or container-file header.
 * The audit trail hashes these bytes (DESIGN.md "Audit trail"): they depend only on the schema and
 * the values, never on a registry's schema id.
 *
 * <p>Thread-safe; datum writers and readers are cached per schema / class. The generated classes
 * involved are added to Avro's class allow-list ({@code ClassSecurityValidator}, Avro ≥ 1.12.1).
 */
public final class AvroBinary {
    private static final Map<Schema, DatumWriter<Object>> WRITERS = new ConcurrentHashMap<>();
    private static final Map<Class<?>, DatumReader<?>> READERS = new ConcurrentHashMap<>();

    private AvroBinary() {
    }

    /**
     * @param record the record; not {@code null}
     * @return its Avro binary encoding with {@code record.getSchema()}
     * @throws SerializationException when a field holds a value its schema does not allow
     *                                (e.g. {@code null} in a non-nullable field)
     */
    public static byte[] encode(SpecificRecord record) {
        Objects.requireNonNull(record, "record");
        DatumWriter<Object> writer = WRITERS.computeIfAbsent(record.getSchema(), schema -> {
            AvroClassTrust.trust(record.getClass(), schema);
            return new SpecificDatumWriter<>(schema);
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        write(writer, record, out);
        return out.toByteArray();
    }

    /**
     * Decodes bytes written with {@code type}'s own (current) schema.
     *
     * @throws SerializationException "truncated Avro payload", trailing bytes, or malformed data
     */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        Objects.requireNonNull(bytes, "bytes");
        DatumReader<T> reader = (DatumReader<T>) READERS.computeIfAbsent(type,
                t -> new SpecificDatumReader<>(readerSchema(type)));
        return read(reader, bytes, 0, bytes.length, type.getName());
    }

    /**
     * Decodes bytes written with {@code writerSchema} (e.g. an earlier version) into {@code type},
     * by Avro schema resolution.
     *
     * @throws SerializationException as {@link #decode(byte[], Class)}, or when the schemas do not resolve
     */
    public static <T extends SpecificRecord> T decode(byte[] bytes, Schema writerSchema, Class<T> type) {
        Objects.requireNonNull(bytes, "bytes");
        DatumReader<T> reader = new SpecificDatumReader<>(writerSchema, readerSchema(type));
        return read(reader, bytes, 0, bytes.length, type.getName());
    }

    /** The reader schema of a generated SpecificRecord class (its {@code SCHEMA$}). */
    static Schema readerSchema(Class<?> type) {
        Schema schema = SpecificData.get().getSchema(type);
        if (schema == null || schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(type.getName() + " is not a generated Avro SpecificRecord class");
        }
        AvroClassTrust.trust(type, schema);
        return schema;
    }

    /**
     * One buffered encoder per thread, re-pointed at each output: a direct encoder wrote every varint and string
     * through {@code ByteArrayOutputStream}'s synchronized methods one call at a time. Same bytes either way.
     */
    private static final ThreadLocal<BinaryEncoder> ENCODERS = new ThreadLocal<>();

    static void write(DatumWriter<Object> writer, Object datum, ByteArrayOutputStream out) {
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, ENCODERS.get());
        ENCODERS.set(encoder);
        try {
            writer.write(datum, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + describe(datum) + " as Avro: " + e.getMessage(), e);
        }
    }

    /**
     * Reads one value from {@code bytes[offset, offset+length)} and requires it to use exactly
     * those bytes.
     */
    static <T> T read(DatumReader<T> reader, byte[] bytes, int offset, int length, String what) {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, offset, length, null);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new SerializationException("truncated Avro payload: " + length + " bytes ended before a complete "
                    + what + " value", e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("malformed Avro payload for " + what + ": " + e, e);
        }
        try {
            if (!decoder.isEnd()) {
                int trailing = decoder.inputStream().available();
                throw new SerializationException("malformed Avro payload for " + what + ": " + trailing
                        + " trailing bytes after the value (of " + length + " bytes)");
            }
        } catch (IOException e) {
            throw new SerializationException("malformed Avro payload for " + what + ": " + e, e);
        }
        return value;
    }

    private static String describe(Object datum) {
        return datum instanceof SpecificRecord r ? r.getSchema().getFullName() : String.valueOf(datum == null ? null : datum.getClass());
    }
}
