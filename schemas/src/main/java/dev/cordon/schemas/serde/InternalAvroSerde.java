package dev.cordon.schemas.serde;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka {@link Serde} of plain Avro binary ({@link AvroBinary}) with no registry and no framing,
 * for Cordon's internal state stores and their changelogs. {@code null} ⇔ {@code null}.
 *
 * <p>The bytes carry no schema id, so they are read with the class's current schema: after an
 * incompatible change of that schema, a store's changelog must be rebuilt (application reset), not
 * restored. Do not use it for topics that other programs read; use {@link SpecificAvroSerde}.
 * Needs no configuration; thread-safe.
 *
 * @param <T> the generated SpecificRecord class
 */
public final class InternalAvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final Class<T> type;

    /** @param type the generated SpecificRecord class values are read into */
    public InternalAvroSerde(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
        AvroBinary.readerSchema(type);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> data == null ? null : AvroBinary.encode(data);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> data == null ? null : AvroBinary.decode(data, type);
    }
}
