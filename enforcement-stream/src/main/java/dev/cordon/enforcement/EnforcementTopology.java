package dev.cordon.enforcement;

import static dev.cordon.enforcement.internal.Names.*;

import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.SessionEvent;
import dev.cordon.enforcement.internal.AvroTrust;
import dev.cordon.enforcement.internal.BroadcastPartitioner;
import dev.cordon.enforcement.internal.Emit;
import dev.cordon.enforcement.internal.Suppliers;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.enforcement.internal.EnforcementMetrics;
import dev.cordon.schemas.signing.TrustedKeys;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * Builds Cordon's enforcement topology (DESIGN.md "Enforcement semantics", "Outputs", "Fan-out at scale"). Pure:
 * no I/O, no clock; tests drive it with {@code TopologyTestDriver}.
 *
 * <pre>
 * control sub-topology (directive-changes and directive-impacts, one partition each, one task):
 *   read-directive-changes ─► decode-directives ─┬─► unwrap-directives ─► directive-broadcast (repartition, every partition, KIP-837)
 *                                                └─► dead-letters, audit-log
 *   read-directive-impacts ─► aggregate-impacts ─► directive-impacts (AGGREGATE), dead-letters, audit-log
 * intake sub-topology (one task per session-events partition):
 *   read-session-events ─► decode-session-events ─┬─► unwrap-session-events ─► session-events-by-id (repartition by sessionId)
 *                                                 └─► dead-letters, audit-log (unreadable input, anomalies)
 * session sub-topology (one task per session partition; stores directives / sessions / sweeps / expiry index /
 * audit-sequence):
 *   session-events-by-id-repartition ──► match-sessions ──┐
 *   directive-broadcast-repartition ───► apply-directives ┴► revocation-commands, directive-impacts (PARTIAL),
 *                                                            audit-log, dead-letters
 * </pre>
 * Inputs are consumed as bytes and decoded in the processors, so an unreadable record goes to dead-letters with
 * provenance headers and an {@code INPUT_UNREADABLE} audit entry, and processing continues.
 */
public final class EnforcementTopology {
    private EnforcementTopology() {
    }

    /**
     * The topology without signature checks on directive changes — for TopologyTestDriver tests and tools
     * that feed it unsigned changes. {@link EnforcementApp} always uses
     * {@link #build(TopicCatalogue, EnforcementSettings, TrustedKeys)} with the configured keys.
     *
     * @param topics   typed topics (values with the registry serde; {@code TopicCatalogue.create(prefix, serdeConfig)})
     * @param settings tuning; {@code sessionPartitions} must equal session-events' partition count
     * @return the topology; every node, store and internal topic is explicitly named
     */
    public static Topology build(TopicCatalogue topics, EnforcementSettings settings) {
        return build(topics, settings, null);
    }

    /**
     * @param topics   typed topics (values with the registry serde; {@code TopicCatalogue.create(prefix, serdeConfig)})
     * @param settings tuning; {@code sessionPartitions} must equal session-events' partition count
     * @param trusted  keys that may sign directive changes (issue 6 §4): a change not signed by one of them is
     *                 dead-lettered, audited DIRECTIVE_IGNORED and has no effect; {@code null} = not checked
     * @return the topology; every node, store and internal topic is explicitly named
     */
    public static Topology build(TopicCatalogue topics, EnforcementSettings settings, TrustedKeys trusted) {
        return build(topics, settings, trusted, EnforcementMetrics.unscraped());
    }

    /**
     * As {@link #build(TopicCatalogue, EnforcementSettings, TrustedKeys)}, counting outputs in {@code metrics}.
     *
     * @param metrics meters for commands, dead letters and directive-to-last-revocation latency
     * @return the topology
     */
    public static Topology build(TopicCatalogue topics, EnforcementSettings settings, TrustedKeys trusted,
                                 EnforcementMetrics metrics) {
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(settings, "settings");
        AvroTrust.ensure();
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Suppliers.directivesStore());
        builder.addStateStore(Suppliers.sessionsStore());
        builder.addStateStore(Suppliers.sweepsStore());
        builder.addStateStore(Suppliers.sequenceStore(AUDIT_SEQUENCE_STORE));
        builder.addStateStore(Suppliers.sequenceStore(CONTROL_AUDIT_SEQUENCE_STORE));
        builder.addStateStore(Suppliers.impactPartialsStore());
        builder.addStateStore(Suppliers.expiryIndexStore());
        builder.addStateStore(Suppliers.sequenceStore(INTAKE_AUDIT_SEQUENCE_STORE));

        // ---- control sub-topology
        KStream<String, Emit> decoded = builder
                .stream(topics.directiveChanges().name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(READ_DIRECTIVE_CHANGES))
                .process(Suppliers.decodeDirectives(topics, settings), Named.as(DECODE_DIRECTIVES), CONTROL_AUDIT_SEQUENCE_STORE);
        KStream<String, Emit> aggregated = builder
                .stream(topics.directiveImpacts().name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(READ_DIRECTIVE_IMPACTS))
                .process(Suppliers.aggregateImpacts(topics, settings), Named.as(AGGREGATE_IMPACTS),
                        CONTROL_AUDIT_SEQUENCE_STORE, IMPACT_PARTIALS_STORE);
        Map<String, KStream<String, Emit>> control = route(decoded.merge(aggregated, Named.as(MERGE_CONTROL_OUTPUTS)), ROUTE_CONTROL, topics, false, true, false, metrics);
        KStream<String, DirectiveChange> broadcast = control.get(ROUTE_CONTROL + "directives")
                .mapValues(e -> ((Emit.Directive) e).change(), Named.as(UNWRAP_DIRECTIVES))
                .repartition(Repartitioned.<String, DirectiveChange>as(DIRECTIVE_BROADCAST)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Suppliers.directiveBroadcastSerde())
                        .withNumberOfPartitions(settings.sessionPartitions())
                        .withStreamPartitioner(new BroadcastPartitioner<>()));

        // ---- intake sub-topology: decode, audit anomalies, re-key by the payload's sessionId (Streams' own partitioner),
        // so where a session's state lives never depends on the gateways' partitioner or keys
        KStream<String, Emit> intake = builder
                .stream(topics.sessionEvents().name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(READ_SESSION_EVENTS))
                .process(Suppliers.decodeSessions(topics, settings), Named.as(DECODE_SESSION_EVENTS), INTAKE_AUDIT_SEQUENCE_STORE);
        KStream<String, SessionEvent> byId = route(intake, ROUTE_INTAKE, topics, false, false, true, metrics).get(ROUTE_INTAKE + "sessions")
                .mapValues(e -> ((Emit.Session) e).event(), Named.as(UNWRAP_SESSION_EVENTS))
                .repartition(Repartitioned.<String, SessionEvent>as(SESSION_EVENTS_BY_ID)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(Suppliers.sessionEventSerde())
                        .withNumberOfPartitions(settings.sessionPartitions()));

        // ---- session sub-topology
        KStream<String, Emit> fromSessions = byId
                .process(Suppliers.matchSessions(settings, metrics.liveSessions()), Named.as(MATCH_SESSIONS),
                        DIRECTIVES_STORE, SESSIONS_STORE, SWEEPS_STORE, AUDIT_SEQUENCE_STORE, SESSION_EXPIRY_INDEX_STORE);
        KStream<String, Emit> fromDirectives = broadcast
                .process(Suppliers.applyDirectives(settings, trusted, metrics.liveSessions()), Named.as(APPLY_DIRECTIVES),
                        DIRECTIVES_STORE, SESSIONS_STORE, SWEEPS_STORE, AUDIT_SEQUENCE_STORE, SESSION_EXPIRY_INDEX_STORE);
        route(fromSessions.merge(fromDirectives, Named.as(MERGE_ENFORCEMENT_OUTPUTS)), ROUTE_ENFORCEMENT, topics, true, false, false,
                metrics);
        return builder.build();
    }

    /**
     * Splits processor output by kind to its topic. One router per sub-topology: a sink shared by two
     * sub-topologies would fuse them.
     *
     * @param withCommands   whether this sub-topology issues revocation commands (only the session one does)
     * @param withDirectives whether it decodes directives (only the control one does)
     * @param withSessions   whether it decodes session events (only the intake one does)
     * @return the branch of decoded directives, under {@code prefix + "directives"}, when {@code withDirectives}; of
     *         decoded session events, under {@code prefix + "sessions"}, when {@code withSessions}
     */
    private static Map<String, KStream<String, Emit>> route(KStream<String, Emit> out, String prefix, TopicCatalogue topics,
                                                            boolean withCommands, boolean withDirectives, boolean withSessions,
                                                            EnforcementMetrics metrics) {
        var split = out.peek((k, v) -> metrics.record(v), Named.as(prefix + "count-outputs")).split(Named.as(prefix));
        if (withCommands) {
            split = split.branch((k, v) -> v instanceof Emit.Command, Branched.withConsumer(s -> s
                    .mapValues(v -> ((Emit.Command) v).command(), Named.as(prefix + "unwrap-commands"))
                    .to(topics.revocationCommands().name(), Produced.with(topics.revocationCommands().keySerde(),
                            topics.revocationCommands().valueSerde()).withName(prefix + "write-revocation-commands")), "commands"));
        }
        split = split.branch((k, v) -> v instanceof Emit.Audit, Branched.withConsumer(s -> s
                        .mapValues(v -> ((Emit.Audit) v).event(), Named.as(prefix + "unwrap-audit-events"))
                        .to(topics.auditLog().name(), Produced.with(topics.auditLog().keySerde(),
                                topics.auditLog().valueSerde()).withName(prefix + "write-audit-log")), "audit"))
                .branch((k, v) -> v instanceof Emit.Impact, Branched.withConsumer(s -> s
                        .mapValues(v -> ((Emit.Impact) v).impact(), Named.as(prefix + "unwrap-impacts"))
                        .to(topics.directiveImpacts().name(), Produced.with(topics.directiveImpacts().keySerde(),
                                topics.directiveImpacts().valueSerde()).withName(prefix + "write-directive-impacts")), "impacts"))
                .branch((k, v) -> v instanceof Emit.DeadLetter, Branched.withConsumer(s -> s
                        .map((k, v) -> KeyValue.pair(((Emit.DeadLetter) v).key(), ((Emit.DeadLetter) v).value()),
                                Named.as(prefix + "unwrap-dead-letters"))
                        .to(topics.deadLetters().name(), Produced.with(topics.deadLetters().keySerde(),
                                topics.deadLetters().valueSerde()).withName(prefix + "write-dead-letters")), "dead-letters"));
        if (withDirectives) {
            split = split.branch((k, v) -> v instanceof Emit.Directive, Branched.as("directives"));
        }
        if (withSessions) {
            split = split.branch((k, v) -> v instanceof Emit.Session, Branched.as("sessions"));
        }
        return split.noDefaultBranch();
    }
}
