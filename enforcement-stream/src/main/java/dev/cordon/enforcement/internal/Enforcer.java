package dev.cordon.enforcement.internal;

import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.CommandKind;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.RevocationCommand;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What both processors of a session task share: its stores, its auditor, and issuing a command (which
 * updates the session, forwards the {@code RevocationCommand} and its audit entry together).
 */
final class Enforcer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Enforcer.class);
    final ProcessorContext<String, Emit> context;
    final KeyValueStore<String, DirectiveEntry> directives;
    /** Sessions by id, values encoded by {@link SessionState#SERDE}: read through {@link #session}, written by {@link #putSession}. */
    private final KeyValueStore<String, byte[]> sessions;
    /** Unfinished sweeps by key: read through {@link #allSweeps}/{@link #sweep}, written by {@link #putSweep}/{@link #deleteSweep}. */
    private final KeyValueStore<String, SweepState> sweeps;
    final KeyValueStore<String, byte[]> expiryIndex;
    final Auditor auditor;
    final int partition;
    final long bucketMs;

    private final LiveSessions live;

    Enforcer(ProcessorContext<String, Emit> context, String component, long bucketMs, LiveSessions live) {
        this.context = context;
        this.live = live;
        this.bucketMs = bucketMs;
        this.directives = context.getStateStore(Names.DIRECTIVES_STORE);
        this.sessions = context.getStateStore(Names.SESSIONS_STORE);
        this.sweeps = context.getStateStore(Names.SWEEPS_STORE);
        this.expiryIndex = context.getStateStore(Names.SESSION_EXPIRY_INDEX_STORE);
        this.partition = context.taskId().partition();
        KeyValueStore<String, Long> sequence = context.getStateStore(Names.AUDIT_SEQUENCE_STORE);
        this.auditor = new Auditor(sequence, component, partition);
        this.directiveGeneration = DIRECTIVE_GENERATIONS.computeIfAbsent(context.applicationId() + '/' + context.taskId(),
                k -> new AtomicLong());
        this.directiveGeneration.incrementAndGet(); // a (re-)initialized task: whatever was cached is re-read
    }

    private static final byte[] EMPTY = new byte[0];

    /** @return the expiry-index bucket of a last-seen time */
    long bucket(long lastSeenMs) {
        return Math.floorDiv(lastSeenMs, bucketMs);
    }

    /** @return the expiry-index key of a session in a bucket: sorts by bucket, then session id */
    static String indexKey(long bucket, String sessionId) {
        String digits = Long.toString(Math.max(0, bucket));
        StringBuilder key = new StringBuilder(20 + sessionId.length());
        key.append(ZEROS, 0, 19 - digits.length()).append(digits).append('\u0000').append(sessionId);
        return key.toString();
    }

    private static int isActive(SessionState s) {
        return s != null && s.status() == SessionState.Status.ACTIVE ? 1 : 0;
    }

    /** @return the ACTIVE sessions in this task's store (one full scan: only when the task initialises) */
    long countActive() {
        long n = 0;
        try (KeyValueIterator<String, byte[]> it = sessions.all()) {
            while (it.hasNext()) {
                n += SessionState.isActive(it.next().value) ? 1 : 0;
            }
        }
        return n;
    }

    private static final String ZEROS = "0000000000000000000";

    private static final org.apache.kafka.common.serialization.Serializer<SessionState> ENCODE = SessionState.SERDE.serializer();
    private static final org.apache.kafka.common.serialization.Deserializer<SessionState> DECODE = SessionState.SERDE.deserializer();

    /** @return the stored state of a session, or {@code null} */
    SessionState session(String sessionId) {
        return decode(sessions.get(sessionId));
    }

    /** @return a stored value decoded, {@code null} for {@code null} */
    static SessionState decode(byte[] stored) {
        return DECODE.deserialize(Names.SESSIONS_STORE, stored);
    }

    /** @return RocksDB's estimate of the sessions this task stores (cheap: a table property, not a scan) */
    long approximateSessions() {
        return sessions.approximateNumEntries();
    }

    /** @return the stored sessions with ids after {@code afterId} (all when {@code null}), in id order, values encoded */
    KeyValueIterator<String, byte[]> sessionsFrom(String afterId) {
        return sessions.range(afterId, null);
    }

    /** Writes a session and keeps the expiry index in step ({@code previous}: the stored state before, or null). */
    void putSession(SessionState next, SessionState previous) {
        sessions.put(next.sessionId(), ENCODE.serialize(Names.SESSIONS_STORE, next));
        live.add(context.taskId(), isActive(next) - isActive(previous));
        long bucket = bucket(next.lastSeenMs());
        if (previous == null || bucket(previous.lastSeenMs()) != bucket) {
            if (previous != null) {
                expiryIndex.delete(indexKey(bucket(previous.lastSeenMs()), previous.sessionId()));
            }
            expiryIndex.put(indexKey(bucket, next.sessionId()), EMPTY);
        }
    }

    /** Deletes a session and its index entry. */
    void deleteSession(SessionState stored) {
        sessions.delete(stored.sessionId());
        live.add(context.taskId(), -isActive(stored));
        expiryIndex.delete(indexKey(bucket(stored.lastSeenMs()), stored.sessionId()));
    }

    /**
     * Generation of each task's directives store, shared by the task's two processors (key: application id / task
     * id): {@link #putDirective} bumps it, so a processor's cached list is re-read after any directive write, by
     * either processor. Only ever increases; a spurious bump costs one re-read, never a stale decision.
     */
    private static final ConcurrentHashMap<String, AtomicLong> DIRECTIVE_GENERATIONS = new ConcurrentHashMap<>();
    private final AtomicLong directiveGeneration;
    private long cachedGeneration = -1;
    private List<DirectiveChange> cachedCurrent = List.of();

    /** Stores a directive entry (the only way directives are written) and invalidates every cached list of the task. */
    void putDirective(String directiveId, DirectiveEntry entry) {
        directives.put(directiveId, entry);
        directiveGeneration.incrementAndGet();
    }

    /**
     * @return the current revision of every directive this task knows; read from the store only after a directive
     *         write (session events consult it on every record: iterating and decoding it each time was half of the
     *         session path's CPU)
     */
    List<DirectiveChange> currentDirectives() {
        long generation = directiveGeneration.get();
        if (generation != cachedGeneration) {
            List<DirectiveChange> list = new ArrayList<>();
            try (KeyValueIterator<String, DirectiveEntry> it = directives.all()) {
                while (it.hasNext()) {
                    list.add(it.next().value.current());
                }
            }
            cachedCurrent = List.copyOf(list);
            cachedGeneration = generation;
        }
        return cachedCurrent;
    }

    /** @return the directives in force at {@code nowMs}, in precedence order */
    List<DirectiveChange> inForce(long nowMs) {
        return DirectiveRules.inForceOrdered(currentDirectives(), nowMs);
    }

    /**
     * The sweeps store's entries, mirrored in memory on first read: the sweep punctuation asks for them every 20 ms on
     * every task, and opening a RocksDB iterator each time was a third of a sweep's CPU. Every write goes through this
     * class, and a task that is re-initialised (after an aborted transaction, a rebalance) builds a new Enforcer and
     * re-reads the store.
     */
    private java.util.TreeMap<String, SweepState> sweepMirror;

    private java.util.TreeMap<String, SweepState> sweepMirror() {
        if (sweepMirror == null) {
            sweepMirror = new java.util.TreeMap<>();
            try (KeyValueIterator<String, SweepState> it = sweeps.all()) {
                while (it.hasNext()) {
                    KeyValue<String, SweepState> kv = it.next();
                    sweepMirror.put(kv.key, kv.value);
                }
            }
        }
        return sweepMirror;
    }

    /** @return every unfinished sweep of this task, in key order */
    List<KeyValue<String, SweepState>> allSweeps() {
        java.util.TreeMap<String, SweepState> mirror = sweepMirror();
        if (mirror.isEmpty()) {
            return List.of();
        }
        List<KeyValue<String, SweepState>> list = new ArrayList<>(mirror.size());
        mirror.forEach((k, v) -> list.add(KeyValue.pair(k, v)));
        return list;
    }

    /** @return the unfinished sweep stored under {@code key}, or {@code null} */
    SweepState sweep(String key) {
        return sweepMirror().get(key);
    }

    /** Stores a sweep (new, or its cursor and tally moved on). */
    void putSweep(String key, SweepState sweep) {
        sweeps.put(key, sweep);
        sweepMirror().put(key, sweep);
    }

    /** Removes a finished sweep. */
    void deleteSweep(String key) {
        sweeps.delete(key);
        sweepMirror().remove(key);
    }

    /**
     * Deterministic command id: the name-based (version 3, RFC 4122 §4.3) UUID of session, kind and attempt, exactly
     * {@code UUID.nameUUIDFromBytes} — a replay yields the same id — with the MD5 digest kept per thread instead of
     * looked up per call (a fifth of a sweep's CPU).
     */
    static String commandId(String sessionId, CommandKind kind, int attempt) {
        byte[] name = ("cordon-command\u0000" + sessionId + '\u0000' + kind + '\u0000' + attempt)
                .getBytes(StandardCharsets.UTF_8);
        byte[] md5 = MD5.get().digest(name);
        md5[6] &= 0x0f;
        md5[6] |= 0x30; // version 3
        md5[8] &= 0x3f;
        md5[8] |= (byte) 0x80; // IETF variant
        ByteBuffer b = ByteBuffer.wrap(md5);
        return new UUID(b.getLong(), b.getLong()).toString();
    }

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
    });

    /**
     * Cuts {@code session} on the first command (DENY or REVOKE, attempt 1 unless the session was cut
     * before it ended), stores it as CUT, forwards the command and its audit entry.
     *
     * @return the stored state
     */
    SessionState cut(SessionState session, CommandKind kind, DirectiveRules.Match match, String via, long nowMs) {
        return cut(session, session(session.sessionId()), kind, match, via, nowMs);
    }

    /** As {@link #cut(SessionState, CommandKind, DirectiveRules.Match, String, long)}, {@code stored} being its stored state. */
    SessionState cut(SessionState session, SessionState stored, CommandKind kind, DirectiveRules.Match match, String via,
                     long nowMs) {
        DirectiveChange d = match.directive();
        int attempt = session.cut() == null ? 1 : session.cut().attempt() + 1;
        SessionState.Cut cut = new SessionState.Cut(kind, attempt, d.getDirectiveId(), d.getRevision(), match.matched(),
                d.getLegalBasis(), d.getChangeId(), nowMs);
        SessionState next = session.withCut(cut);
        putSession(next, stored);
        emit(next, kind, attempt, cut, kind == CommandKind.DENY ? AuditEventType.SESSION_DENIED : AuditEventType.SESSION_REVOKED,
                via, nowMs);
        return next;
    }

    /** Re-revokes a cut session: REVOKE attempt n+1 naming the directive that first cut it. */
    SessionState recut(SessionState session, String via, long nowMs) {
        SessionState.Cut cut = session.cut().withAttempt(session.cut().attempt() + 1);
        SessionState next = session.withCut(cut);
        putSession(next, session(next.sessionId()));
        emit(next, CommandKind.REVOKE, cut.attempt(), cut, AuditEventType.SESSION_REREVOKED, via, nowMs);
        return next;
    }

    private void emit(SessionState s, CommandKind kind, int attempt, SessionState.Cut cut, AuditEventType type, String via,
                      long nowMs) {
        String commandId = commandId(s.sessionId(), kind, attempt);
        RevocationCommand command = RevocationCommand.newBuilder()
                .setCommandId(commandId)
                .setKind(kind)
                .setAttempt(attempt)
                .setSessionId(s.sessionId())
                .setUserId(s.subject() == null ? "" : s.subject().getUserId())
                .setResource(s.resource() == null ? "" : s.resource())
                .setGatewayId(s.gatewayId() == null ? "" : s.gatewayId())
                .setDirectiveId(cut.directiveId())
                .setDirectiveRevision(cut.directiveRevision())
                .setLegalBasis(cut.legalBasis())
                .setMatched(cut.matched())
                .setIssuedAt(Instant.ofEpochMilli(nowMs))
                .setChangeId(cut.changeId())
                .build();
        LOG.atDebug().addKeyValue("sessionId", s.sessionId()).addKeyValue("directiveId", command.getDirectiveId())
                .addKeyValue("revision", command.getDirectiveRevision()).addKeyValue("kind", command.getKind())
                .addKeyValue("attempt", command.getAttempt())
                .log("{} {} attempt {} ({} revision {})", command.getKind(), s.sessionId(), command.getAttempt(),
                        command.getDirectiveId(), command.getDirectiveRevision());
        forward(s.sessionId(), new Emit.Command(command), nowMs);
        var audit = auditor.event(type, nowMs)
                .directive(cut.directiveId(), cut.directiveRevision())
                .session(s.sessionId())
                .command(commandId)
                .detail("kind", kind)
                .detail("attempt", attempt)
                .detail("matched", cut.matched())
                .detail("legalBasis", cut.legalBasis())
                .detail("changeId", cut.changeId())
                .detail("resource", s.resource())
                .detail("gatewayId", s.gatewayId())
                .detail("via", via)
                .build();
        forward(s.sessionId(), new Emit.Audit(audit), nowMs);
    }

    /** Forwards an audit entry keyed by its subject. */
    void audit(String subjectKey, Auditor.Builder builder, long nowMs) {
        forward(subjectKey, new Emit.Audit(builder.build()), nowMs);
    }

    void forward(String key, Emit emit, long nowMs) {
        context.forward(new Record<>(key, emit, nowMs, new RecordHeaders()));
    }
}
