package dev.cordon.enforcement.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TopologyDescription;

/**
 * Refuses to run on silently lost state (issue 3 §4). Kafka Streams recreates a missing changelog or repartition topic
 * empty and carries on — the sessions cut so far would be forgotten. So before start, the internal topics named by
 * {@code topology.describe()} ({@code <application.id>-<store>-changelog}, {@code <application.id>-<name>-repartition})
 * are checked with the Admin client against a durable marker: the topic {@code <application.id>-state-marker}
 * (delete, retention -1) whose last record lists the internal topics that existed once the application last reached
 * RUNNING.
 * <ul>
 *   <li>no marker and no internal topic: a first start (the marker is created);</li>
 *   <li>a topic the marker lists is missing, or (no marker) some internal topics exist but others do not: refused;</li>
 *   <li>a topic the marker does not list is missing: new in this version (an upgrade added a store); Streams creates it.</li>
 * </ul>
 */
public final class StateMarker {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private StateMarker() {
    }

    /** @return the marker topic of an application */
    public static String markerTopic(String applicationId) {
        return applicationId + "-state-marker";
    }

    /** @return the internal topics (changelogs and repartition topics) the topology needs, with the application id */
    public static Set<String> internalTopics(String applicationId, TopologyDescription description, Set<String> external) {
        Set<String> out = new TreeSet<>();
        for (TopologyDescription.Subtopology s : description.subtopologies()) {
            for (TopologyDescription.Node n : s.nodes()) {
                if (n instanceof TopologyDescription.Processor p) {
                    p.stores().forEach(store -> out.add(applicationId + "-" + store + "-changelog"));
                } else if (n instanceof TopologyDescription.Source src && src.topicSet() != null) {
                    src.topicSet().stream().filter(t -> !external.contains(t)).forEach(t -> out.add(applicationId + "-" + t));
                } else if (n instanceof TopologyDescription.Sink sink && sink.topic() != null && !external.contains(sink.topic())) {
                    out.add(applicationId + "-" + sink.topic());
                }
            }
        }
        return out;
    }

    /**
     * Checks the internal topics against the marker (see the class comment); creates the marker on a first start.
     *
     * @throws IllegalStateException naming the missing topics and what to do
     */
    public static void check(Admin admin, Map<String, Object> clientConfig, String applicationId, Set<String> expected) {
        Set<String> present = listTopics(admin);
        String marker = markerTopic(applicationId);
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(present);
        if (!present.contains(marker)) {
            if (missing.size() == expected.size()) {
                createMarker(admin, marker);
                return; // first start
            }
            if (!missing.isEmpty()) {
                throw refusal(applicationId, missing, "some of its internal topics exist and these do not");
            }
            createMarker(admin, marker); // ran before the marker existed; everything is there
            return;
        }
        Set<String> recorded = new TreeSet<>(read(clientConfig, marker));
        recorded.retainAll(missing);
        if (!recorded.isEmpty()) {
            throw refusal(applicationId, recorded, "marker topic '" + marker + "' records that they existed");
        }
    }

    private static IllegalStateException refusal(String applicationId, Set<String> missing, String evidence) {
        return new IllegalStateException("Refusing to start enforcement application '" + applicationId + "': internal topics "
                + missing + " are missing although the application ran before (" + evidence + "). Kafka Streams would recreate "
                + "them empty and the enforcement state (cut sessions, directives, sweeps, audit sequence) would be lost. Restore "
                + "the topics from a backup; or, to deliberately start from empty state, delete the topic '" + markerTopic(applicationId)
                + "' and every internal topic of '" + applicationId + "', and reset its consumer group (kafka-streams-application-reset)");
    }

    /** Records the internal topics that exist now (call once the application is RUNNING). */
    public static void record(Admin admin, Map<String, Object> clientConfig, String applicationId, Set<String> expected) {
        Set<String> present = listTopics(admin);
        List<String> existing = new ArrayList<>(expected);
        existing.retainAll(present);
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(markerTopic(applicationId), 0, null,
                    String.join("\n", existing).getBytes(StandardCharsets.UTF_8))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write the state marker: " + e.getCause(), e.getCause());
        }
    }

    private static List<String> read(Map<String, Object> clientConfig, String marker) {
        Map<String, Object> c = new HashMap<>(clientConfig);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(marker, 0);
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
            long begin = consumer.beginningOffsets(List.of(tp), TIMEOUT).get(tp);
            if (end <= begin) {
                return List.of();
            }
            consumer.seek(tp, end - 1);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            byte[] last = null;
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    last = r.value();
                }
            }
            if (last == null || last.length == 0) {
                return List.of();
            }
            return Arrays.asList(new String(last, StandardCharsets.UTF_8).split("\n"));
        }
    }

    private static void createMarker(Admin admin, String marker) {
        try {
            admin.createTopics(List.of(new NewTopic(marker, 1, (short) -1)
                    .configs(Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1")))).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the state marker topic '" + marker + "': " + e.getCause(), e.getCause());
            }
        }
    }

    private static Set<String> listTopics(Admin admin) {
        try {
            return admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics: " + e.getCause(), e.getCause());
        }
    }
}
