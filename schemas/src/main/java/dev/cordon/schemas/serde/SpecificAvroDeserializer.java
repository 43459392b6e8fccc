package dev.cordon.schemas.serde;

import dev.cordon.schemas.registry.RestSchemaRegistryClient;
import dev.cordon.schemas.registry.SchemaRegistryClient;
import dev.cordon.schemas.registry.SchemaRegistryException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer of the Confluent wire format into an Avro SpecificRecord class. The writer
 * schema is fetched by the id in bytes 1–4 ({@code GET /schemas/ids/{id}}, cached) and resolved
 * against the class's own schema (Avro spec, "Schema Resolution"), so records written with an
 * earlier or later compatible version are read. {@code null} bytes give {@code null} (tombstone).
 *
 * <p>Failures throw {@link SerializationException} saying what is wrong: an unknown magic byte,
 * a record too short for the header, an unregistered schema id, a writer schema the class cannot
 * read, a truncated or malformed Avro payload. Thread-safe once configured.
 *
 * @param <T> the generated SpecificRecord class
 */
public final class SpecificAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private record Settings(SchemaRegistryClient client, Class<?> type, Schema readerSchema) {
    }

    private final Class<T> type;
    private final SchemaRegistryClient suppliedClient;
    private volatile Settings settings;
    private final Map<Integer, DatumReader<T>> readersBySchemaId = new ConcurrentHashMap<>();

    /**
     * For construction by class name (consumer properties): the class comes from
     * {@code specific.avro.value.type} / {@code specific.avro.key.type}.
     */
    public SpecificAvroDeserializer() {
        this(null, null);
    }

    /** @param type the class to read into; the client is built in {@link #configure} */
    public SpecificAvroDeserializer(Class<T> type) {
        this(type, null);
    }

    /**
     * @param type   the class to read into (or {@code null}: from {@code specific.avro.*.type})
     * @param client the registry client to use (or {@code null}: built from {@code schema.registry.url})
     */
    public SpecificAvroDeserializer(Class<T> type, SchemaRegistryClient client) {
        this.type = type;
        this.suppliedClient = client;
    }

    /**
     * @param configs Confluent-named configs, see {@link AvroSerdeConfig}
     * @param isKey   whether this reads record keys
     * @throws ConfigException on a bad or missing config
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        configure(config, isKey, suppliedClient != null ? suppliedClient : new RestSchemaRegistryClient(config));
    }

    void configure(AvroSerdeConfig config, boolean isKey, SchemaRegistryClient client) {
        Class<?> target = type;
        if (target == null) {
            target = config.specificType(isKey);
            String key = isKey ? AvroSerdeConfig.SPECIFIC_AVRO_KEY_TYPE_CONFIG : AvroSerdeConfig.SPECIFIC_AVRO_VALUE_TYPE_CONFIG;
            if (target == null || !SpecificRecord.class.isAssignableFrom(target)) {
                throw new ConfigException(key, target, "a generated Avro SpecificRecord class is required, "
                        + "e.g. dev.cordon.avro.SessionEvent");
            }
        }
        readersBySchemaId.clear();
        this.settings = new Settings(client, target, AvroBinary.readerSchema(target));
    }

    /**
     * @return {@code null} for {@code null}; otherwise the record
     * @throws SerializationException on bytes that are not a readable framed record
     * @throws IllegalStateException  when not configured
     */
    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        Settings s = settings;
        if (s == null) {
            throw new IllegalStateException("SpecificAvroDeserializer is not configured: call configure(configs, isKey) "
                    + "with at least schema.registry.url");
        }
        int id = ConfluentWireFormat.schemaId(data);
        DatumReader<T> reader = readersBySchemaId.get(id);
        if (reader == null) {
            reader = readerFor(s, id, topic);
            readersBySchemaId.putIfAbsent(id, reader);
        }
        return AvroBinary.read(reader, data, ConfluentWireFormat.HEADER_SIZE, data.length - ConfluentWireFormat.HEADER_SIZE,
                s.type().getName() + " (schema id " + id + ")");
    }

    private DatumReader<T> readerFor(Settings s, int id, String topic) {
        Schema writer;
        try {
            writer = s.client().getSchemaById(id);
        } catch (SchemaRegistryException e) {
            String where = e.baseUrl() != null ? e.baseUrl() : String.join(",", s.client().baseUrls());
            if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND) {
                throw new SerializationException("schema id " + id + " is not registered at " + where
                        + " (record of topic '" + topic + "')", e);
            }
            throw new SerializationException("cannot fetch schema id " + id + " from " + where + " (record of topic '"
                    + topic + "'): " + e.getMessage(), e);
        }
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(s.readerSchema(), writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("schema id " + id + " (" + writer.getFullName() + ") cannot be read as "
                    + s.type().getName() + ": " + compatibility.getResult().getIncompatibilities().stream()
                    .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage()).toList());
        }
        return new SpecificDatumReader<>(writer, s.readerSchema());
    }

    @Override
    public void close() {
        // nothing to release
    }
}
