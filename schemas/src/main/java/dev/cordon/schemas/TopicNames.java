package dev.cordon.schemas;

import java.util.List;
import java.util.Map;

/**
 * The one place for Cordon's topic names (kebab-case plural nouns) and their required configs,
 * as DESIGN.md "Topics" lists them. Every name may carry a deployment prefix
 * ({@code topic.prefix}, e.g. {@code "prod."}); the prefix is prepended verbatim.
 *
 * <p>Topics are always created explicitly (never by broker auto-create) from {@link #specs}.
 */
public final class TopicNames {
    /** Key directiveId, value {@code DirectiveChange}; delete policy, retention -1 (kept forever). */
    public static final String DIRECTIVE_CHANGES = "directive-changes";
    /** Key sessionId, value {@code SessionEvent}; {@link #DEFAULT_SESSION_PARTITIONS} partitions. */
    public static final String SESSION_EVENTS = "session-events";
    /** Key sessionId, value {@code RevocationCommand}; same partition count as session-events. */
    public static final String REVOCATION_COMMANDS = "revocation-commands";
    /** Key directiveId, value {@code DirectiveImpact} (partials and aggregates). */
    public static final String DIRECTIVE_IMPACTS = "directive-impacts";
    /**
     * Key: the entry's subject (directive or session id), value {@code AuditEvent}; delete, retention -1,
     * never compacted. One partition: the hash chain is a total order, and one partition gives it
     * from Kafka itself, so the audit sink resumes from a single offset.
     */
    public static final String AUDIT_LOG = "audit-log";
    /** Raw bytes of unreadable records, with provenance headers. Retention -1. */
    public static final String DEAD_LETTERS = "dead-letters";

    /** Default partition count of the session-keyed topics (DESIGN.md: N partitions, default 12). */
    public static final int DEFAULT_SESSION_PARTITIONS = 12;

    /** Provenance headers on dead-letter records (KIP-1034 style names). */
    public static final String HEADER_DLQ_TOPIC = "cordon.dlq.topic";
    public static final String HEADER_DLQ_PARTITION = "cordon.dlq.partition";
    public static final String HEADER_DLQ_OFFSET = "cordon.dlq.offset";
    public static final String HEADER_DLQ_EXCEPTION = "cordon.dlq.exception";
    public static final String HEADER_DLQ_MESSAGE = "cordon.dlq.exception.message";

    private TopicNames() {
    }

    /**
     * One topic to create: name (prefixed), partition count and topic-level configs.
     *
     * @param name       full topic name, prefix included
     * @param partitions partition count, at least 1
     * @param configs    topic configs (e.g. {@code retention.ms}); never {@code null}
     */
    public record TopicSpec(String name, int partitions, Map<String, String> configs) {
    }

    /**
     * The topics Cordon needs, with the configs DESIGN.md requires.
     *
     * @param prefix            prepended to every name; {@code ""} for none
     * @param sessionPartitions partitions of session-events and revocation-commands (≥ 1)
     * @return one spec per topic, in a stable order
     */
    public static List<TopicSpec> specs(String prefix, int sessionPartitions) {
        if (sessionPartitions < 1) {
            throw new IllegalArgumentException("sessionPartitions must be >= 1, was " + sessionPartitions);
        }
        Map<String, String> forever = Map.of("cleanup.policy", "delete", "retention.ms", "-1", "retention.bytes", "-1");
        Map<String, String> input = Map.of("message.timestamp.type", "LogAppendTime");
        return List.of(
                new TopicSpec(prefix + DIRECTIVE_CHANGES, 1, merge(forever, input)),
                new TopicSpec(prefix + SESSION_EVENTS, sessionPartitions, input),
                new TopicSpec(prefix + REVOCATION_COMMANDS, sessionPartitions, Map.of()),
                new TopicSpec(prefix + DIRECTIVE_IMPACTS, 1, Map.of()),
                new TopicSpec(prefix + AUDIT_LOG, 1, forever),
                new TopicSpec(prefix + DEAD_LETTERS, 1, forever));
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        var m = new java.util.HashMap<>(a);
        m.putAll(b);
        return Map.copyOf(m);
    }
}
