package dev.cordon.enforcement.internal;

/**
 * The one place for the enforcement topology's node, store and internal topic names (kebab-case;
 * processors are verb phrases, stores {@code <thing>-store}). Renaming any of these changes
 * changelog / repartition topic names, so a rename is an incompatible upgrade; the topology
 * snapshot test guards against accidental ones.
 */
public final class Names {
    /** Component name written in every {@code AuditEvent.component} this module produces. */
    public static final String COMPONENT = "enforcement-stream";

    // ---- sources
    public static final String READ_DIRECTIVE_CHANGES = "read-directive-changes";
    public static final String READ_SESSION_EVENTS = "read-session-events";
    public static final String READ_DIRECTIVE_IMPACTS = "read-directive-impacts";

    // ---- intake sub-topology (one task per session-events partition)
    /** Decodes session-events, checks key against payload, audits anomalies, re-keys by sessionId. */
    public static final String DECODE_SESSION_EVENTS = "decode-session-events";
    /**
     * Session events re-keyed by the payload's sessionId with Streams' own partitioner, so the session task that holds
     * a session's state does not depend on the gateways' partitioner (murmur2 or not), on null keys, or on keys that
     * differ from the id; the internal topic is {@code <application.id>-session-events-by-id-repartition}.
     */
    public static final String SESSION_EVENTS_BY_ID = "session-events-by-id";
    public static final String ROUTE_INTAKE = "route-intake-";
    public static final String UNWRAP_SESSION_EVENTS = "unwrap-session-events";
    /** {@value #SEQUENCE_KEY} → last audit sequence number issued by an intake task. */
    public static final String INTAKE_AUDIT_SEQUENCE_STORE = "intake-audit-sequence-store";

    // ---- processors
    public static final String DECODE_DIRECTIVES = "decode-directives";
    public static final String APPLY_DIRECTIVES = "apply-directives";
    public static final String MATCH_SESSIONS = "match-sessions";
    public static final String AGGREGATE_IMPACTS = "aggregate-impacts";
    public static final String MERGE_CONTROL_OUTPUTS = "merge-control-outputs";
    public static final String MERGE_ENFORCEMENT_OUTPUTS = "merge-enforcement-outputs";
    public static final String UNWRAP_DIRECTIVES = "unwrap-directives";

    /** Output routing prefixes (one router per sub-topology: sharing sinks would fuse sub-topologies). */
    public static final String ROUTE_CONTROL = "route-control-";
    public static final String ROUTE_ENFORCEMENT = "route-enforcement-";

    /**
     * The multicast of directive changes to every session partition (KIP-837); the internal topic is
     * {@code <application.id>-directive-broadcast-repartition}.
     */
    public static final String DIRECTIVE_BROADCAST = "directive-broadcast";

    // ---- stores of the session tasks (one per session partition)
    /** directiveId → {@link DirectiveEntry}: the current revision and its schedule flags. */
    public static final String DIRECTIVES_STORE = "directives-store";
    /** sessionId → {@link SessionState}. */
    public static final String SESSIONS_STORE = "sessions-store";
    /** sweep key → {@link SweepState}: cursor and counts of an unfinished sweep. */
    public static final String SWEEPS_STORE = "sweeps-store";
    /**
     * {@code bucket(19 digits) NUL sessionId} → empty: the sessions whose last-seen time falls in a bucket of
     * {@code lastSeenGranularityMs}, so eviction reads only due buckets instead of scanning every session.
     */
    public static final String SESSION_EXPIRY_INDEX_STORE = "session-expiry-index-store";
    /** {@value #SEQUENCE_KEY} → last audit sequence number issued by the task. */
    public static final String AUDIT_SEQUENCE_STORE = "audit-sequence-store";

    // ---- stores of the control task (directive-changes + directive-impacts, one partition each)
    /** {@value #SEQUENCE_KEY} → last audit sequence number issued by the control task. */
    public static final String CONTROL_AUDIT_SEQUENCE_STORE = "control-audit-sequence-store";
    /** impact key → {@link ImpactAccumulator}: partials combined so far. */
    public static final String IMPACT_PARTIALS_STORE = "impact-partials-store";

    /** Key of the single entry in the audit sequence stores. */
    public static final String SEQUENCE_KEY = "sequence";

    /**
     * {@code AuditEvent.sourcePartition} of the control task (decoding directive-changes and
     * aggregating impacts), which is not a session partition ("-1 where there is none").
     */
    public static final int CONTROL_SOURCE_PARTITION = -1;

    /**
     * @return {@code AuditEvent.component} of the intake tasks: they share partition numbers with the session tasks, so
     *         a distinct component keeps {@code component/sourcePartition/sequence} unique
     */
    public static String intakeComponent(String component) {
        return component + "-intake";
    }

    private Names() {
    }
}
