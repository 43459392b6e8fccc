package dev.cordon.schemas.serde;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * PLACEHOLDER — being implemented (Confluent wire format serde for SpecificRecords).
 * Config names as Confluent's: schema.registry.url, auto.register.schemas, use.latest.version,
 * basic.auth.user.info, key.subject.name.strategy, value.subject.name.strategy.
 */
public final class SpecificAvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final Class<T> type;

    public SpecificAvroSerde(Class<T> type) {
        this.type = type;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
    }

    @Override
    public Serializer<T> serializer() {
        throw new UnsupportedOperationException("not implemented yet: " + type);
    }

    @Override
    public Deserializer<T> deserializer() {
        throw new UnsupportedOperationException("not implemented yet: " + type);
    }
}
