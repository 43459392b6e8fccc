package dev.cordon.ingest.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingest's own state topic ({@link WorkflowState}). Like Kafka Streams with its internal topics, ingest creates
 * it itself — it never creates Cordon's shared topics — with one partition (a total order, read whole at
 * start-up) and {@code cleanup.policy=compact}: only the latest value per key matters, and compaction keeps it
 * forever. Replication factor and {@code min.insync.replicas} are the broker's defaults.
 */
final class StateTopic {
    private static final Logger LOG = LoggerFactory.getLogger(StateTopic.class);

    private StateTopic() {
    }

    /**
     * Creates the topic if missing and waits until its partition answers ListOffsets (DESIGN.md: createTopics
     * returns before partitions are ready).
     *
     * @throws IllegalStateException when it cannot be created or does not become ready within {@code timeout}
     */
    static void ensure(Map<String, Object> kafkaConfig, String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(kafkaConfig)) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!existing.contains(name)) {
                try {
                    admin.createTopics(List.of(new NewTopic(name, Optional.of(1), Optional.empty())
                            .configs(Map.of("cleanup.policy", "compact"))))
                            .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("Created ingest state topic {} (compacted, 1 partition)", name);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            TopicPartition tp = new TopicPartition(name, 0);
            while (true) {
                try {
                    admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(1, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(50); // polling a readiness condition
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while preparing " + name, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Cannot create or reach ingest's state topic '" + name + "': " + e, e);
        }
    }
}
