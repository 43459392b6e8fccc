package dev.cordon.bench.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The fan-out's baseline (issue 5 point 1): one transactional, idempotent producer writing the same number of records
 * of the same mean size to topics with the same partition counts as the fan-out wrote to, records of all topics
 * interleaved in proportion, a transaction committed every {@code commitIntervalMs} (Cordon's commit interval), timed
 * from the first send to the return of the last commit (when every record is visible to read_committed readers).
 */
public final class BaselineProducer {
    private BaselineProducer() {
    }

    /**
     * What to write to one topic.
     *
     * @param partitions partition count (the baseline topic gets the same)
     * @param records    records to write
     * @param keyBytes   key size, bytes
     * @param valueBytes value size, bytes
     */
    public record Load(int partitions, long records, int keyBytes, int valueBytes) {
    }

    /** A producer configuration tried. */
    public record Tuning(int batchSize, int lingerMs) {
        @Override
        public String toString() {
            return "batch.size=" + batchSize + " linger.ms=" + lingerMs;
        }
    }

    /**
     * One timed run of a transactional, idempotent producer writing {@code loads} to fresh topics.
     *
     * @param topicPrefix           prefix of the topics it creates (one per load, with the load's partitions)
     * @param transactionalIdPrefix prefix of its {@code transactional.id} (a random suffix is added)
     * @param commitIntervalMs      it commits a transaction every this many ms, as Streams does
     * @return elapsed ms of the timed part (sending and committing, records prepared beforehand)
     * @throws Exception when a topic cannot be created or the producer fails
     */
    public static double run(Admin admin, Map<String, Object> clientConfig, String topicPrefix, String transactionalIdPrefix,
                             Map<String, Load> loads, Tuning tuning, long commitIntervalMs) throws Exception {
        Map<String, Integer> create = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        for (var e : loads.entrySet()) {
            String name = topicPrefix + e.getKey().replaceAll("[^A-Za-z0-9._-]", "_");
            names.put(e.getKey(), name);
            create.put(name, e.getValue().partitions());
        }
        KafkaTools.createTopics(admin, create);

        Map<String, Object> p = new HashMap<>(clientConfig);
        p.remove("schema.registry.url");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalIdPrefix + "-" + UUID.randomUUID());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, tuning.batchSize());
        p.put(ProducerConfig.LINGER_MS_CONFIG, tuning.lingerMs());
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L * 1024 * 1024);

        // Prepare the records first: the timed part only sends.
        List<String> topics = new ArrayList<>(loads.keySet());
        long total = loads.values().stream().mapToLong(Load::records).sum();
        Random rnd = new Random(42);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            for (String t : topics) {
                producer.partitionsFor(names.get(t)); // metadata outside the timed part
            }
            byte[][] keys = new byte[topics.size()][];
            byte[][] values = new byte[topics.size()][];
            for (int i = 0; i < topics.size(); i++) {
                Load l = loads.get(topics.get(i));
                keys[i] = new byte[l.keyBytes()];
                values[i] = new byte[l.valueBytes()];
                rnd.nextBytes(keys[i]);
                rnd.nextBytes(values[i]);
            }
            long[] sent = new long[topics.size()];
            long t0 = System.nanoTime();
            long lastCommit = t0;
            producer.beginTransaction();
            for (long n = 0; n < total; n++) {
                // interleave: pick the topic furthest behind its share
                int pick = 0;
                double best = Double.MAX_VALUE;
                for (int i = 0; i < topics.size(); i++) {
                    Load l = loads.get(topics.get(i));
                    if (sent[i] >= l.records()) {
                        continue;
                    }
                    double share = (double) sent[i] / l.records();
                    if (share < best) {
                        best = share;
                        pick = i;
                    }
                }
                Load l = loads.get(topics.get(pick));
                int partition = (int) (sent[pick] % l.partitions());
                sent[pick]++;
                producer.send(new ProducerRecord<>(names.get(topics.get(pick)), partition, keys[pick], values[pick]));
                if ((n & 1023) == 0 && System.nanoTime() - lastCommit > commitIntervalMs * 1_000_000L) {
                    producer.commitTransaction();
                    producer.beginTransaction();
                    lastCommit = System.nanoTime();
                }
            }
            producer.commitTransaction();
            return (System.nanoTime() - t0) / 1e6;
        }
    }
}
