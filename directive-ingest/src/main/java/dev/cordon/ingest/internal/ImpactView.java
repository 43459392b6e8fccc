package dev.cordon.ingest.internal;

import dev.cordon.avro.CommandKind;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.ImpactKind;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.schemas.TopicCatalogue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the enforcement stream reported, as ingest's API shows it: aggregated {@code DirectiveImpact} reports
 * (by preview request id, and the latest per enforced revision) and counts of REVOKE / DENY commands per
 * directive revision. Derived state: a background thread reads directive-impacts and revocation-commands
 * ({@code read_committed}, from the beginning, no consumer group) and keeps it in memory; it is never a source
 * of truth, only of display and of the preview answer (DESIGN.md "Outputs": the preview API reads the report).
 * Preview reports are kept for the last {@value #MAX_PREVIEWS} request ids.
 */
public final class ImpactView implements AutoCloseable {
    static final int MAX_PREVIEWS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(ImpactView.class);
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicCatalogue topics;
    private final Thread thread;
    private final Map<String, DirectiveImpact> previews = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, DirectiveImpact> eldest) {
            return size() > MAX_PREVIEWS;
        }
    };
    private final Map<String, DirectiveImpact> enforced = new HashMap<>();
    private final Map<String, long[]> commands = new HashMap<>();
    private volatile boolean running = true;

    private ImpactView(KafkaConsumer<byte[], byte[]> consumer, TopicCatalogue topics) {
        this.consumer = consumer;
        this.topics = topics;
        this.thread = new Thread(this::loop, "ingest-impact-view");
        this.thread.setDaemon(true);
    }

    /** Starts reading; topics that do not exist (yet) are skipped with a WARN. */
    public static ImpactView start(Map<String, Object> kafkaConfig, TopicCatalogue topics) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "cordon-ingest-impact-view-" + UUID.randomUUID());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> tps = new ArrayList<>();
        for (String topic : List.of(topics.directiveImpacts().name(), topics.revocationCommands().name())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                LOG.warn("Topic {} does not exist: previews and status counts will stay empty", topic);
                continue;
            }
            infos.forEach(p -> tps.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        ImpactView view = new ImpactView(consumer, topics);
        view.thread.start();
        return view;
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        apply(r);
                    } catch (RuntimeException e) {
                        LOG.debug("Skipping unreadable {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.toString());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("Impact view stopped: previews and status counts are no longer updated", e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return;
        }
        if (r.topic().equals(topics.directiveImpacts().name())) {
            DirectiveImpact impact = topics.directiveImpacts().valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
            if (impact.getKind() != ImpactKind.AGGREGATE) {
                return;
            }
            synchronized (this) {
                if (impact.getMode() == DirectiveMode.DRY_RUN && impact.getRequestId() != null) {
                    previews.put(impact.getRequestId(), impact);
                } else if (impact.getMode() == DirectiveMode.ENFORCE) {
                    enforced.put(impact.getDirectiveId() + "/" + impact.getRevision(), impact);
                }
                notifyAll();
            }
        } else {
            RevocationCommand c = topics.revocationCommands().valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value());
            int index = c.getKind() == CommandKind.REVOKE ? 0 : c.getKind() == CommandKind.DENY ? 1 : -1;
            if (index < 0) {
                return;
            }
            synchronized (this) {
                commands.computeIfAbsent(c.getDirectiveId() + "/" + c.getDirectiveRevision(), k -> new long[2])[index]++;
            }
        }
    }

    /**
     * Waits for the aggregated DRY_RUN report of {@code requestId}.
     *
     * @param timeout how long to wait; zero returns at once
     * @return the report, if it arrived in time
     */
    public synchronized Optional<DirectiveImpact> awaitPreview(String requestId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!previews.containsKey(requestId)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000L));
        }
        return Optional.of(previews.get(requestId));
    }

    /** @return the latest aggregated report of an enforced revision, if any */
    public synchronized Optional<DirectiveImpact> enforced(String directiveId, int revision) {
        return Optional.ofNullable(enforced.get(directiveId + "/" + revision));
    }

    /** @return {REVOKE count, DENY count} seen so far for a revision */
    public synchronized long[] commands(String directiveId, int revision) {
        return commands.getOrDefault(directiveId + "/" + revision, new long[2]).clone();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
