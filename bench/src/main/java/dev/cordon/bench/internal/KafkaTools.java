package dev.cordon.bench.internal;

import dev.cordon.schemas.TopicNames;
import dev.cordon.schemas.admin.TopicAdmin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Offsets, record counts and caught-up checks, from the broker's point of view. */
public final class KafkaTools {
    private KafkaTools() {
    }

    /** Records and bytes (key + value) found in a range of a topic. */
    public record Count(long records, long bytes, long offsets) {
        public Count plus(Count o) {
            return new Count(records + o.records, bytes + o.bytes, offsets + o.offsets);
        }

        /** @return mean key + value bytes per record */
        public int meanBytes() {
            return records == 0 ? 0 : (int) (bytes / records);
        }
    }

    /** @return every topic whose name starts with {@code prefix} */
    public static List<String> topicsStartingWith(Admin admin, String prefix) throws ExecutionException, InterruptedException {
        return admin.listTopics().names().get().stream().filter(t -> t.startsWith(prefix)).sorted().toList();
    }

    /** @return end offsets of every partition of {@code topics} */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get().values()) {
            d.partitions().forEach(p -> req.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(req).all().get().forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /** @return partition count of {@code topic} */
    public static int partitions(Admin admin, String topic) throws ExecutionException, InterruptedException {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    }

    /**
     * Counts committed records (read_committed; transaction markers and aborted records are not records) between two
     * offset snapshots, per topic.
     */
    public static Map<String, Count> countBetween(Map<String, Object> clientConfig, Map<TopicPartition, Long> from,
                                                  Map<TopicPartition, Long> to) {
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        Map<String, Count> out = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> todo = new ArrayList<>();
            for (var e : to.entrySet()) {
                long start = from.getOrDefault(e.getKey(), 0L);
                out.merge(e.getKey().topic(), new Count(0, 0, e.getValue() - start), Count::plus);
                if (e.getValue() > start) {
                    todo.add(e.getKey());
                }
            }
            c.assign(todo);
            for (TopicPartition tp : todo) {
                c.seek(tp, from.getOrDefault(tp, 0L));
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!todo.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < to.get(tp)) {
                        long b = (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                        out.merge(r.topic(), new Count(1, b, 0), Count::plus);
                    }
                }
                todo.removeIf(tp -> c.position(tp) >= to.get(tp));
                c.assign(todo);
            }
        }
        return out;
    }

    /**
     * @return whether {@code group} has consumed every committed record of {@code topics}: its committed offset is at the
     *         end offset, or only transaction markers / aborted records lie between them
     */
    public static boolean caughtUp(Admin admin, KafkaConsumer<byte[], byte[]> probe, String group, Set<String> topics)
            throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, Long> ends = endOffsets(admin, new ArrayList<>(topics));
        for (var e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            long pos = c == null ? 0 : c.offset();
            if (pos < e.getValue() && hasCommittedRecords(probe, e.getKey(), pos, e.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasCommittedRecords(KafkaConsumer<byte[], byte[]> probe, TopicPartition tp, long from, long to) {
        if (to - from > 4) {
            return true; // more than a few markers: certainly records
        }
        probe.assign(List.of(tp));
        probe.seek(tp, from);
        // short: during an open transaction the LSO holds the probe back; the caller polls again
        long deadline = System.nanoTime() + Duration.ofMillis(100).toNanos();
        while (probe.position(tp) < to && System.nanoTime() < deadline) {
            if (!probe.poll(Duration.ofMillis(20)).isEmpty()) {
                return true;
            }
        }
        return probe.position(tp) < to;
    }

    /** @return a read_committed byte-array consumer without a group (for probes and watchers) */
    public static KafkaConsumer<byte[], byte[]> rawConsumer(Map<String, Object> clientConfig) {
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Creates plain topics (delete policy) with the given partition counts and waits until every partition answers. */
    public static void createTopics(Admin admin, Map<String, Integer> partitions) {
        List<TopicNames.TopicSpec> specs = new ArrayList<>();
        partitions.forEach((name, n) -> specs.add(new TopicNames.TopicSpec(name, n, Map.of())));
        TopicAdmin.createTopics(admin, specs, Duration.ofSeconds(60));
    }
}
