package dev.cordon.enforcement;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.Condition;
import dev.cordon.avro.ConditionGroup;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.Scope;
import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.schemas.registry.server.EmbeddedSchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * TopologyTestDriver around {@link EnforcementTopology} with the real registry serde against an
 * {@link EmbeddedSchemaRegistry} (one per JVM), wall clock driven explicitly from {@link #T0}.
 */
final class Harness implements AutoCloseable {
    /** Wall clock at driver start. */
    static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    /** {@code application.id} of the driver: the prefix of its changelog and repartition topics. */
    static final String APPLICATION_ID = "cordon-enforcement-test";
    private static EmbeddedSchemaRegistry registry;

    final TopicCatalogue topics;
    final TopologyTestDriver driver;
    final TestInputTopic<String, DirectiveChange> directives;
    final TestInputTopic<String, SessionEvent> sessions;
    final TestInputTopic<byte[], byte[]> rawSessions;
    final TestInputTopic<byte[], byte[]> rawDirectives;
    final TestInputTopic<String, DirectiveImpact> impactsIn;
    final TestOutputTopic<String, RevocationCommand> commands;
    final TestOutputTopic<String, AuditEvent> audit;
    final TestOutputTopic<String, DirectiveImpact> impacts;
    final TestOutputTopic<byte[], byte[]> deadLetters;
    private final Path stateDir;
    private Instant now = T0;
    final List<AuditEvent> auditSeen = new ArrayList<>();

    static synchronized String registryUrl() {
        if (registry == null) {
            registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0);
            Runtime.getRuntime().addShutdownHook(new Thread(registry::close));
        }
        return registry.url();
    }

    Harness() {
        this(EnforcementSettings.defaults().withSessionPartitions(1));
    }

    Harness(EnforcementSettings settings) {
        this(settings, null);
    }

    /** The meters the topology counts into, including its live-session counts. */
    final dev.cordon.enforcement.internal.EnforcementMetrics metrics = dev.cordon.enforcement.internal.EnforcementMetrics.unscraped();

    /** With signature checks: directive changes must be signed by one of {@code trusted} (null = unchecked). */
    Harness(EnforcementSettings settings, dev.cordon.schemas.signing.TrustedKeys trusted) {
        String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
        this.topics = catalogue(prefix);
        try {
            this.stateDir = Files.createTempDirectory("enforcement-ttd");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        driver = new TopologyTestDriver(EnforcementTopology.build(topics, settings, trusted, metrics), props, T0);
        directives = driver.createInputTopic(topics.directiveChanges().name(), Serdes.String().serializer(),
                topics.directiveChanges().valueSerde().serializer());
        sessions = driver.createInputTopic(topics.sessionEvents().name(), Serdes.String().serializer(),
                topics.sessionEvents().valueSerde().serializer());
        rawSessions = driver.createInputTopic(topics.sessionEvents().name(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        rawDirectives = driver.createInputTopic(topics.directiveChanges().name(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        impactsIn = driver.createInputTopic(topics.directiveImpacts().name(), Serdes.String().serializer(),
                topics.directiveImpacts().valueSerde().serializer());
        commands = driver.createOutputTopic(topics.revocationCommands().name(), Serdes.String().deserializer(),
                topics.revocationCommands().valueSerde().deserializer());
        audit = driver.createOutputTopic(topics.auditLog().name(), Serdes.String().deserializer(),
                topics.auditLog().valueSerde().deserializer());
        impacts = driver.createOutputTopic(topics.directiveImpacts().name(), Serdes.String().deserializer(),
                topics.directiveImpacts().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters().name(), Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
    }

    /** The real catalogue: registry serde (Confluent wire format) against the embedded registry. */
    static TopicCatalogue catalogue(String prefix) {
        return TopicCatalogue.create(prefix, Map.of("schema.registry.url", registryUrl()));
    }

    // ---------------------------------------------------------------- time

    Instant now() {
        return now;
    }

    /** Advances the wall clock (runs due wall-clock punctuations). */
    void advance(long ms) {
        now = now.plusMillis(ms);
        driver.advanceWallClockTime(Duration.ofMillis(ms));
    }

    /** Advances in small steps, so every punctuation due in between runs (as on a real task). */
    void advanceInSteps(long totalMs, long stepMs) {
        for (long done = 0; done < totalMs; done += stepMs) {
            advance(Math.min(stepMs, totalMs - done));
        }
    }

    // ---------------------------------------------------------------- input

    void send(SessionEvent e) {
        sessions.pipeInput(new TestRecord<>(e.getSessionId(), e, now));
    }

    /**
     * Sends a session event whose record timestamp (the broker's LogAppendTime in production) is {@code appendedAt}
     * rather than now: a record of a backlog read late, e.g. after downtime.
     */
    void sendAppendedAt(SessionEvent e, Instant appendedAt) {
        sessions.pipeInput(new TestRecord<>(e.getSessionId(), e, appendedAt));
    }

    /** Sends a change signed with {@code key} (headers cordon.signature.key-id and cordon.signature), as ingest does. */
    void sendSigned(DirectiveChange d, dev.cordon.schemas.signing.SigningKey key) {
        org.apache.kafka.common.header.Headers headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        dev.cordon.schemas.signing.DirectiveSignatures.sign(d, key, headers);
        directives.pipeInput(new TestRecord<>(d.getDirectiveId(), d, headers, now));
    }

    void send(DirectiveChange d) {
        directives.pipeInput(new TestRecord<>(d.getDirectiveId(), d, now));
    }

    static Subject subject(String userId, List<String> nationality, List<String> role) {
        String country = nationality.isEmpty() ? null : nationality.get(0);
        return Subject.newBuilder().setUserId(userId).setOrgId("acme").setNationality(nationality)
                .setResidenceCountry(country).setLocationCountry(country).setRole(role).setAttributes(Map.of()).build();
    }

    SessionEvent event(String sessionId, SessionEventType type, String resource, Subject subject) {
        return event(sessionId, type, resource, subject, now);
    }

    static SessionEvent event(String sessionId, SessionEventType type, String resource, Subject subject, Instant occurredAt) {
        return SessionEvent.newBuilder().setSessionId(sessionId).setType(type).setResource(resource)
                .setGatewayId("gw-1").setOccurredAt(occurredAt).setSubject(subject).build();
    }

    /** STARTED of a customer of {@code nationality} on {@code resource}, occurredAt now. */
    void start(String sessionId, String resource, String nationality) {
        send(event(sessionId, SessionEventType.STARTED, resource, subject("u-" + sessionId, List.of(nationality), List.of("customer"))));
    }

    static ConditionGroup group(Condition... conditions) {
        return ConditionGroup.newBuilder().setAll(Arrays.asList(conditions)).build();
    }

    static Condition cond(String attribute, ConditionOp op, String... values) {
        return Condition.newBuilder().setAttribute(attribute).setOp(op).setValues(Arrays.asList(values)).build();
    }

    static Scope scope(List<String> resources, List<ConditionGroup> subjects, List<ConditionGroup> exempt) {
        return Scope.newBuilder().setResources(resources).setSubjects(subjects).setExempt(exempt).build();
    }

    /** The seed order's scope: fable-5 and mythos-5 for nationality NOT_IN [US]. */
    static Scope foreignNationals() {
        return scope(List.of("fable-5", "mythos-5"), List.of(group(cond("nationality", ConditionOp.NOT_IN, "US"))), List.of());
    }

    DirectiveChange.Builder restrict(String id, int revision, Scope scope) {
        return DirectiveChange.newBuilder()
                .setChangeId(UUID.randomUUID().toString())
                .setDirectiveId(id).setRevision(revision).setAction(DirectiveAction.RESTRICT)
                .setMode(DirectiveMode.ENFORCE).setEnforcement(EnforcementKind.REVOKE_AND_DENY)
                .setIssuer("us-bis").setLegalBasis("15 CFR 744.23 (interim order)").setReason("test")
                .setEffectiveFrom(now).setEffectiveUntil(null).setScope(scope).setAcceptedAt(now)
                .setRequestId(null).setPrincipal(null);
    }

    DirectiveChange lift(String id, int revision) {
        return DirectiveChange.newBuilder()
                .setChangeId(UUID.randomUUID().toString())
                .setDirectiveId(id).setRevision(revision).setAction(DirectiveAction.LIFT)
                .setMode(DirectiveMode.ENFORCE).setEnforcement(EnforcementKind.REVOKE_AND_DENY)
                .setIssuer("us-bis").setLegalBasis(null).setReason("lifted")
                .setEffectiveFrom(now).setEffectiveUntil(null).setScope(null).setAcceptedAt(now)
                .build();
    }

    // ---------------------------------------------------------------- output

    /** Drains the command topic; commands rendered {@code KIND sessionId directiveId attempt}. */
    List<String> drainCommands() {
        return commands.readValuesToList().stream()
                .map(c -> c.getKind() + " " + c.getSessionId() + " " + c.getDirectiveId() + " " + c.getAttempt())
                .toList();
    }

    List<RevocationCommand> drainCommandRecords() {
        return commands.readValuesToList();
    }

    /** Drains the audit topic (also kept in {@link #auditSeen}). */
    List<AuditEvent> drainAudit() {
        List<AuditEvent> events = audit.readValuesToList();
        auditSeen.addAll(events);
        return events;
    }

    /**
     * The changelog of the session tasks' sessions store ({@code <application.id>-sessions-store-changelog}): key
     * sessionId, value the encoded session state (null: deleted). Like every TestOutputTopic, reading drains it.
     */
    TestOutputTopic<String, byte[]> sessionsChangelog() {
        return driver.createOutputTopic(APPLICATION_ID + "-" + dev.cordon.enforcement.internal.Names.SESSIONS_STORE + "-changelog",
                Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
    }

    List<AuditEventType> drainAuditTypes() {
        return drainAudit().stream().map(AuditEvent::getType).toList();
    }

    @Override
    public void close() {
        driver.close();
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // temp dir; best effort
        }
    }
}
