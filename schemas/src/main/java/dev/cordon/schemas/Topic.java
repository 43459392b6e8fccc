package dev.cordon.schemas;

import org.apache.kafka.common.serialization.Serde;

/**
 * A typed topic: its full name and the serdes for its keys and values. Pass the serdes explicitly
 * at every {@code Consumed.with} / {@code Produced.with}; see {@link TopicCatalogue}.
 *
 * @param name       full topic name (prefix included)
 * @param keySerde   serde of the record keys
 * @param valueSerde serde of the record values
 * @param <K>        key type
 * @param <V>        value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
}
