package dev.cordon.schemas.serde;

import dev.cordon.schemas.registry.RestSchemaRegistryClient;
import dev.cordon.schemas.registry.SchemaRegistryClient;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serde} of Avro SpecificRecords in the Confluent wire format (magic byte
 * {@code 0x00}, 4-byte big-endian schema id, plain Avro binary), compatible with Confluent's
 * {@code SpecificAvroSerde}/{@code KafkaAvroSerializer}: same bytes, same subjects, same config
 * names ({@link AvroSerdeConfig}: {@code schema.registry.url}, {@code auto.register.schemas}
 * (default true), {@code use.latest.version} (default false), {@code basic.auth.credentials.source},
 * {@code basic.auth.user.info}, {@code key.subject.name.strategy}, {@code value.subject.name.strategy}).
 *
 * <p>Call {@link #configure} once before use (Kafka Streams does not configure serdes passed to
 * {@code Consumed.with}); the serializer and deserializer returned are the same instances before
 * and after, and share one registry client. A configured serde is thread-safe.
 * Null ⇔ tombstone. Errors: see {@link SpecificAvroSerializer} and {@link SpecificAvroDeserializer}.
 *
 * @param <T> the generated SpecificRecord class
 */
public final class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final SchemaRegistryClient suppliedClient;
    private final SpecificAvroSerializer<T> serializer;
    private final SpecificAvroDeserializer<T> deserializer;

    /** @param type the generated class values are read into; the registry client comes from {@code schema.registry.url} */
    public SpecificAvroSerde(Class<T> type) {
        this(type, null);
    }

    /**
     * A serde on an existing client (shared with other serdes, or pointed at a test registry);
     * {@code schema.registry.url} is then not needed in {@link #configure}.
     *
     * @param type   the generated class values are read into
     * @param client the registry client, or {@code null} to build one from the configs
     */
    public SpecificAvroSerde(Class<T> type, SchemaRegistryClient client) {
        Objects.requireNonNull(type, "type");
        AvroBinary.readerSchema(type);
        this.suppliedClient = client;
        this.serializer = new SpecificAvroSerializer<>(client);
        this.deserializer = new SpecificAvroDeserializer<>(type, client);
    }

    /**
     * @param configs Confluent-named configs ({@link AvroSerdeConfig}); unknown keys are ignored
     * @param isKey   whether this serde is for record keys
     * @throws org.apache.kafka.common.config.ConfigException naming a bad or missing config
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        SchemaRegistryClient client = suppliedClient != null ? suppliedClient : new RestSchemaRegistryClient(config);
        serializer.configure(config, isKey, client);
        deserializer.configure(config, isKey, client);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
