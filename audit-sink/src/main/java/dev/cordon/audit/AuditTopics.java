package dev.cordon.audit;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Topics owned by the audit sink (names are prefixed with {@code topic.prefix}, like {@code TopicNames}). */
public final class AuditTopics {
    private static final Logger LOG = LoggerFactory.getLogger(AuditTopics.class);

    /**
     * Signed checkpoints: key = origin (UTF-8), value = the whole signed note (UTF-8). Config:
     * {@code cleanup.policy=delete}, {@code retention.ms=-1} (kept forever, never compacted), 1 partition (one order).
     */
    public static final String AUDIT_CHECKPOINTS = "audit-checkpoints";

    /** Configs of {@link #AUDIT_CHECKPOINTS}. */
    public static final Map<String, String> CHECKPOINTS_CONFIGS = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.RETENTION_MS_CONFIG, "-1");

    private AuditTopics() {
    }

    /**
     * Creates {@code topic} if missing and waits (≤ 15 s) until its partition answers. Failures are logged, not
     * thrown: checkpoints are stored in the database regardless.
     */
    static void ensureCheckpointsTopic(String bootstrap, Map<String, Object> adminOverrides, String topic) {
        Map<String, Object> ac = new HashMap<>(adminOverrides);
        ac.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        ac.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "cordon-audit-sink-admin");
        try (Admin admin = Admin.create(ac)) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())
                        .configs(CHECKPOINTS_CONFIGS))).all().get();
                LOG.info("created topic {}", topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (true) {
                try {
                    admin.listOffsets(Map.of(new TopicPartition(topic, 0), OffsetSpec.latest())).all().get();
                    return;
                } catch (ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(100); // polling the broker for readiness, bounded by the deadline
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            LOG.warn("cannot create or reach topic {} (checkpoints stay in audit_checkpoints): {}", topic, e.toString());
        }
    }
}
