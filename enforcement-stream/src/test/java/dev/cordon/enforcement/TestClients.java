package dev.cordon.enforcement;

import dev.cordon.schemas.Topic;
import dev.cordon.testkit.CordonCluster;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;

/** Kafka clients the integration tests use against a {@link CordonCluster}: typed by the Cordon topic they serve. */
final class TestClients {
    private TestClients() {
    }

    /** @return an idempotent producer ({@code acks=all}) for {@code topic} */
    static <V> KafkaProducer<String, V> producer(CordonCluster cluster, Topic<String, V> topic) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(p, topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    /** @return a read_committed consumer assigned every partition of {@code topic}, from the beginning */
    static <V> KafkaConsumer<String, V> consumer(CordonCluster cluster, Topic<String, V> topic) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, V> consumer = new KafkaConsumer<>(c, topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }
}
