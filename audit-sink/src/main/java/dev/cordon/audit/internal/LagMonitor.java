package dev.cordon.audit.internal;

import dev.cordon.ops.SustainedThreshold;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures the audit lag on its own thread, every interval: the end offset of each audit-log partition as a
 * {@code read_committed} consumer sees it (the last stable offset, ListOffsets with {@link IsolationLevel#READ_COMMITTED})
 * minus the next offset the sink has durably stored. The stored position comes from the sink loop (its consumer
 * position once every record before it is in the database, which also steps over transaction markers) and, for
 * partitions this instance does not hold, from the database ({@code max(kafka_offset) + 1}). Because it runs apart
 * from the loop, the lag keeps growing while the loop is blocked or retrying.
 *
 * <p>A failed sample (broker or database unreachable) keeps the previous value and is logged at DEBUG.
 */
public final class LagMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);

    private final Admin admin;
    private final DataSource dataSource;
    private final String topic;
    private final Supplier<Map<TopicPartition, Long>> loopPositions;
    private final SustainedThreshold threshold;
    private final ScheduledExecutorService executor;
    private volatile double lag = Double.NaN;
    private volatile long sampledAtMs = -1;

    public LagMonitor(Admin admin, DataSource dataSource, String topic, Supplier<Map<TopicPartition, Long>> loopPositions,
                      SustainedThreshold threshold, long intervalMs) {
        this.admin = admin;
        this.dataSource = dataSource;
        this.topic = topic;
        this.loopPositions = loopPositions;
        this.threshold = threshold;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cordon-audit-lag");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::sampleQuietly, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** @return the last measured lag in records, or NaN before the first successful sample */
    public double lag() {
        return lag;
    }

    /** @return when the last successful sample was taken, epoch ms, or -1 */
    public long sampledAtMs() {
        return sampledAtMs;
    }

    private void sampleQuietly() {
        try {
            long value = sample();
            long now = System.currentTimeMillis();
            lag = value;
            sampledAtMs = now;
            threshold.observe(value, now);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("audit lag not measured: {}", e.toString());
        }
    }

    private long sample() throws Exception {
        List<TopicPartitionInfo> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(10, TimeUnit.SECONDS).get(topic).partitions();
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        for (TopicPartitionInfo p : partitions) {
            query.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        }
        var ends = admin.listOffsets(query, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> positions = new HashMap<>(loopPositions.get());
        if (!positions.keySet().containsAll(query.keySet())) {
            storedInDatabase().forEach(positions::putIfAbsent);
        }
        long total = 0;
        for (TopicPartition tp : query.keySet()) {
            long end = ends.get(tp).offset();
            long next = positions.getOrDefault(tp, 0L);
            total += Math.max(0, end - next);
        }
        return total;
    }

    private Map<TopicPartition, Long> storedInDatabase() throws Exception {
        Map<TopicPartition, Long> out = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT kafka_partition, max(kafka_offset) FROM audit_entries WHERE kafka_topic = ? GROUP BY kafka_partition")) {
            ps.setString(1, topic);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(new TopicPartition(topic, rs.getInt(1)), rs.getLong(2) + 1);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
