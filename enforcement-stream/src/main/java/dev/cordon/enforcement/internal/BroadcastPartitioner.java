package dev.cordon.enforcement.internal;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Sends every record to every partition of the topic it writes (KIP-837 multicast), so that each session
 * task sees every directive change (DESIGN.md "Scaling rule").
 */
public final class BroadcastPartitioner<K, V> implements org.apache.kafka.streams.processor.StreamPartitioner<K, V> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, K key, V value, int numPartitions) {
        return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet()));
    }
}
