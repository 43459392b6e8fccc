package dev.cordon.schemas.admin;

import dev.cordon.schemas.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates and checks Cordon's topics with nothing but the kafka-clients {@link Admin}.
 *
 * <p>Rules implemented here come from DESIGN.md "Topics" (explicit creation, never broker
 * auto-create; the audit log is {@code delete} with infinite retention and never compacted,
 * checked at startup) and from the fan-out lessons in DESIGN.md "Enforcement semantics"
 * ({@code Admin.createTopics()} returns before partitions are ready; wait until every partition
 * answers ListOffsets before producing, or idempotent producers stall).
 *
 * <p>All methods block the calling thread. Admin failures other than the ones described are
 * rethrown as the underlying Kafka exception (a {@link org.apache.kafka.common.KafkaException}
 * subclass); interruption is rethrown as {@link InterruptException} with the interrupt flag set.
 */
public final class TopicAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);
    /** Pause between two readiness probes of not-yet-ready partitions. */
    private static final long PROBE_BACKOFF_MS = 50;
    /** Upper bound of the replication factor Cordon asks for (capped by the broker count). */
    private static final int MAX_REPLICATION_FACTOR = 3;

    private TopicAdmin() {
    }

    /**
     * Creates every topic in {@code specs} that does not exist yet, then waits until every partition
     * of every listed topic (created or pre-existing) has a leader answering ListOffsets.
     *
     * <p>Replication factor of created topics: {@code min(3, number of brokers in the cluster)}.
     * Topics that already exist are accepted when their partition count equals the spec's; their
     * configs are not altered (a difference is logged at WARN; the audit log has its own strict
     * check, {@link #checkAuditLogTopic}).
     *
     * @param admin   an open admin client; not closed by this method
     * @param specs   topics to ensure, e.g. {@link TopicNames#specs(String, int)}
     * @param timeout overall bound for creation and readiness (e.g. 30 s)
     * @throws IllegalStateException if a topic exists with a different partition count (message names
     *                               the topic, the expected and the actual count)
     * @throws TimeoutException      if some partitions are still not ready when {@code timeout} ends
     *                               (message lists them)
     * @throws InterruptException    if the thread is interrupted while waiting
     */
    public static void createTopics(Admin admin, List<TopicNames.TopicSpec> specs, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (specs.isEmpty()) {
            return;
        }
        int brokers = await(admin.describeCluster().nodes(), deadline).size();
        short replication = (short) Math.max(1, Math.min(MAX_REPLICATION_FACTOR, brokers));

        List<NewTopic> newTopics = new ArrayList<>();
        Map<String, TopicNames.TopicSpec> byName = new LinkedHashMap<>();
        for (TopicNames.TopicSpec spec : specs) {
            byName.put(spec.name(), spec);
            newTopics.add(new NewTopic(spec.name(), Optional.of(spec.partitions()), Optional.of(replication))
                    .configs(spec.configs()));
        }
        CreateTopicsResult result = admin.createTopics(newTopics);
        List<String> existing = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> e : result.values().entrySet()) {
            try {
                await(e.getValue(), deadline);
                LOG.info("Created topic {} ({} partitions, replication {}, configs {})",
                        e.getKey(), byName.get(e.getKey()).partitions(), replication, byName.get(e.getKey()).configs());
            } catch (TopicExistsException alreadyThere) {
                existing.add(e.getKey());
            }
        }
        if (!existing.isEmpty()) {
            checkExisting(admin, existing, byName, deadline);
        }
        awaitPartitionsReady(admin, specs, deadline, timeout);
    }

    private static void checkExisting(Admin admin, List<String> existing, Map<String, TopicNames.TopicSpec> byName,
                                      long deadline) {
        Map<String, TopicDescription> descriptions = await(admin.describeTopics(existing).allTopicNames(), deadline);
        for (String name : existing) {
            int expected = byName.get(name).partitions();
            int actual = descriptions.get(name).partitions().size();
            if (expected != actual) {
                throw new IllegalStateException("Topic '" + name + "' exists with " + actual
                        + " partitions but " + expected + " are expected (DESIGN.md \"Topics\"); "
                        + "recreate it with " + expected + " partitions or configure the expected count to " + actual);
            }
        }
        List<ConfigResource> resources = existing.stream()
                .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<ConfigResource, Config> configs = await(admin.describeConfigs(resources).all(), deadline);
        for (ConfigResource resource : resources) {
            Config actual = configs.get(resource);
            byName.get(resource.name()).configs().forEach((key, value) -> {
                ConfigEntry entry = actual.get(key);
                if (entry == null || !value.equals(entry.value())) {
                    LOG.warn("Existing topic {} has {}={} but Cordon expects {}", resource.name(), key,
                            entry == null ? null : entry.value(), value);
                }
            });
        }
        LOG.info("Topics already present with the expected partition counts: {}", existing);
    }

    private static void awaitPartitionsReady(Admin admin, List<TopicNames.TopicSpec> specs, long deadline,
                                             Duration timeout) {
        Set<TopicPartition> pending = new LinkedHashSet<>();
        for (TopicNames.TopicSpec spec : specs) {
            for (int p = 0; p < spec.partitions(); p++) {
                pending.add(new TopicPartition(spec.name(), p));
            }
        }
        Throwable lastError = null;
        while (!pending.isEmpty()) {
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remainingMs <= 0) {
                throw new TimeoutException("Partitions not ready (no leader answering ListOffsets) after "
                        + timeout.toMillis() + " ms: " + pending, lastError);
            }
            Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
            pending.forEach(tp -> request.put(tp, OffsetSpec.latest()));
            ListOffsetsResult results = admin.listOffsets(request,
                    new ListOffsetsOptions().timeoutMs((int) Math.min(remainingMs, Integer.MAX_VALUE)));
            Set<TopicPartition> stillPending = new LinkedHashSet<>();
            for (TopicPartition tp : pending) {
                try {
                    results.partitionResult(tp).get();
                } catch (ExecutionException notReady) {
                    stillPending.add(tp);
                    lastError = notReady.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptException(e);
                }
            }
            pending = stillPending;
            if (!pending.isEmpty()) {
                LOG.debug("{} partitions not ready yet ({}), probing again", pending.size(), String.valueOf(lastError));
                try {
                    Thread.sleep(PROBE_BACKOFF_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptException(e);
                }
            }
        }
    }

    /**
     * Refuses an audit-log topic that could lose or rewrite entries (DESIGN.md "Topics": {@code audit-log}
     * is delete, retention.ms=-1, never compacted; checked at startup).
     *
     * @param admin an open admin client; not closed by this method
     * @param topic full audit-log topic name (prefix included)
     * @throws IllegalStateException when the topic is missing, when {@code cleanup.policy} contains
     *                               {@code compact}, or when {@code retention.ms} or {@code retention.bytes}
     *                               is not {@code -1}; the message lists every problem and the
     *                               {@code kafka-configs} command that fixes it
     */
    public static void checkAuditLogTopic(Admin admin, String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config;
        try {
            config = await(admin.describeConfigs(List.of(resource)).all(), Long.MAX_VALUE).get(resource);
        } catch (UnknownTopicOrPartitionException missing) {
            throw new IllegalStateException("Audit-log topic '" + topic + "' does not exist; create it with "
                    + "cleanup.policy=delete, retention.ms=-1, retention.bytes=-1 (DESIGN.md \"Topics\"), e.g. "
                    + "kafka-topics --bootstrap-server <servers> --create --topic " + topic + " --partitions 1 "
                    + "--config cleanup.policy=delete --config retention.ms=-1 --config retention.bytes=-1", missing);
        }
        if (config == null) {
            throw new IllegalStateException("Audit-log topic '" + topic + "' does not exist");
        }
        List<String> problems = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        String policy = valueOf(config, TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy != null && policy.toLowerCase(Locale.ROOT).contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            problems.add("cleanup.policy=" + policy + " (compaction would delete audit entries)");
            fixes.add("cleanup.policy=delete");
        }
        String retentionMs = valueOf(config, TopicConfig.RETENTION_MS_CONFIG);
        if (!"-1".equals(retentionMs)) {
            problems.add("retention.ms=" + retentionMs + " (finite: entries would expire)");
            fixes.add("retention.ms=-1");
        }
        String retentionBytes = valueOf(config, TopicConfig.RETENTION_BYTES_CONFIG);
        if (!"-1".equals(retentionBytes)) {
            problems.add("retention.bytes=" + retentionBytes + " (finite: entries would be deleted)");
            fixes.add("retention.bytes=-1");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Audit-log topic '" + topic + "' must keep every entry forever "
                    + "(DESIGN.md \"Topics\": delete, retention.ms=-1, never compact) but has "
                    + String.join(", ", problems) + "; fix it with: kafka-configs --bootstrap-server <servers> "
                    + "--alter --entity-type topics --entity-name " + topic + " --add-config "
                    + String.join(",", fixes));
        }
    }

    /**
     * Checks that every named topic exists (DESIGN.md "Topics": topics are created explicitly, never
     * by broker auto-create).
     *
     * @param admin an open admin client; not closed by this method
     * @param names full topic names (prefix included)
     * @throws IllegalStateException naming every missing topic and how to create them
     */
    public static void checkTopicsExist(Admin admin, Collection<String> names) {
        Set<String> present = await(admin.listTopics(new ListTopicsOptions().listInternal(true)).names(),
                Long.MAX_VALUE);
        Set<String> missing = new TreeSet<>(names);
        missing.removeAll(present);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Missing Kafka topics " + missing + ": Cordon never relies on broker "
                    + "auto-create; create them first with their required configs (TopicNames.specs / "
                    + "TopicAdmin.createTopics, DESIGN.md \"Topics\")");
        }
    }

    private static String valueOf(Config config, String key) {
        ConfigEntry entry = config.get(key);
        return entry == null ? null : entry.value();
    }

    /** Waits for {@code future} until {@code deadlineNanos} ({@link Long#MAX_VALUE}: admin's own timeouts). */
    private static <T> T await(KafkaFuture<T> future, long deadlineNanos) {
        try {
            if (deadlineNanos == Long.MAX_VALUE) {
                return future.get();
            }
            long remaining = Math.max(0, deadlineNanos - System.nanoTime());
            return future.get(remaining, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TimeoutException("Kafka admin call did not complete in time", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new org.apache.kafka.common.KafkaException(cause);
        }
    }
}
