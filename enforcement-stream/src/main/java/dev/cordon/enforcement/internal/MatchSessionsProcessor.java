package dev.cordon.enforcement.internal;

import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.CommandKind;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.enforcement.EnforcementSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * {@value Names#MATCH_SESSIONS}: applies each session event (re-keyed by sessionId, in arrival order) to the session
 * state machine of DESIGN.md "Session state machine" against the directives in force on this task now, and evicts
 * idle sessions.
 *
 * <p>Ordering (README "Decisions"): a live (ACTIVE/CUT) session applies every event in arrival order — its stored
 * resource and subject are those of the latest event to arrive — except exact duplicates (same type and
 * {@code occurredAt} as one of its last {@value SessionState#RECENT} recorded events). {@code occurredAt} orders events
 * only against the session's end: after ENDED, an event ordered later makes the session live again (fail closed), an
 * earlier one is late and ignored. An {@code occurredAt} more than the skew tolerance ahead of the wall clock is
 * ordered as if it occurred now ({@link EnforcementSettings#orderingTime}), so a clock in year 2100 cannot hide
 * later events. An ACTIVE session's heartbeat that changes nothing is not written back unless its last-seen time
 * moved by {@code lastSeenGranularityMs} (and is then not remembered for duplicate detection either).
 *
 * <p>Eviction waits until the task has caught up with its input (so a restart after downtime never evicts
 * live sessions whose events are still unread): the task has run for {@code evictionCatchUpMs} and either its
 * last session record was appended (broker LogAppendTime) at most {@code evictionCatchUpMs} before it was
 * processed — the task works at the head of the log — or no record arrived for {@code evictionCatchUpMs}. It reads
 * only the due buckets of the expiry index ({@value Names#SESSION_EXPIRY_INDEX_STORE}), at most
 * {@code evictionBatchSize} entries per {@code evictionIntervalMs}: a bucket is due when every session in it has been
 * idle for more than TTL + granularity. Live (ACTIVE/CUT) evictions are audited; ENDED tombstones are dropped silently.
 */
final class MatchSessionsProcessor implements Processor<String, SessionEvent, String, Emit> {
    private final EnforcementSettings settings;
    private final LiveSessions live;
    private ProcessorContext<String, Emit> context;
    private Enforcer enforcer;
    private long startedAtMs;
    private long lastRecordProcessedMs = -1;
    private long lastRecordLagMs;

    MatchSessionsProcessor(EnforcementSettings settings, LiveSessions live) {
        this.settings = settings;
        this.live = live;
    }

    @Override
    public void init(ProcessorContext<String, Emit> context) {
        this.context = context;
        this.enforcer = new Enforcer(context, settings.component(), settings.lastSeenGranularityMs(), live);
        // processors are initialised after the task's stores are restored, before any record or punctuation
        live.reset(context.taskId(), enforcer.countActive());
        this.startedAtMs = context.currentSystemTimeMs();
        context.schedule(Duration.ofMillis(settings.evictionIntervalMs()), PunctuationType.WALL_CLOCK_TIME, this::evict);
    }

    @Override
    public void close() {
        if (context != null) { // a task closed before its processors were initialised (during restoration)
            live.forget(context.taskId());
        }
    }

    @Override
    public void process(Record<String, SessionEvent> record) {
        long now = context.currentSystemTimeMs();
        lastRecordProcessedMs = now;
        lastRecordLagMs = Math.max(0, now - record.timestamp());
        if (record.value() != null) {
            apply(record.value(), now);
        }
    }

    private void apply(SessionEvent event, long now) {
        String id = event.getSessionId();
        long occurredAt = event.getOccurredAt().toEpochMilli();
        long orderedAt = settings.orderingTime(occurredAt, now);
        SessionEventType type = event.getType();
        SessionState.Fingerprint fingerprint = SessionState.fingerprint(type, occurredAt);
        SessionState stored = enforcer.session(id);
        if (stored != null) {
            if (stored.isDuplicate(fingerprint)) {
                return; // exact duplicate (same type and occurredAt): ignored
            }
            if (stored.status() == SessionState.Status.ENDED && orderedAt <= stored.lastOccurredAt()) {
                return; // late event of an ended session: ignored
            }
        }
        SessionState.Status status = stored == null ? SessionState.Status.ACTIVE : stored.status();
        SessionState updated = new SessionState(id, status, orderedAt, type, event.getResource(), event.getGatewayId(),
                event.getSubject(), now, stored == null ? null : stored.cut(), stored == null ? null : stored.recent())
                .remember(fingerprint);
        String via = type.name();

        if (stored == null || stored.status() == SessionState.Status.ENDED) {
            // unknown, or ended and now live again (later occurredAt): fail closed
            if (type == SessionEventType.ENDED) {
                enforcer.putSession(updated.withStatus(SessionState.Status.ENDED), stored);
                if (stored == null) {
                    auditLifecycle(AuditEventType.SESSION_ENDED, updated, now, "unknown session");
                }
                return;
            }
            if (updated.cut() != null) {
                // it was cut before it ended: a cut session stays cut
                enforcer.recut(updated, via, now);
                return;
            }
            List<DirectiveChange> inForce = enforcer.inForce(now);
            boolean started = type == SessionEventType.STARTED;
            Optional<DirectiveRules.Match> match = DirectiveRules.choose(inForce, updated.resource(), updated.subject(), !started);
            if (match.isPresent()) {
                enforcer.cut(updated, started ? CommandKind.DENY : CommandKind.REVOKE, match.get(), via, now);
            } else {
                SessionState active = updated.withStatus(SessionState.Status.ACTIVE);
                enforcer.putSession(active, stored);
                auditLifecycle(AuditEventType.SESSION_STARTED, active, now,
                        stored != null ? "event after its end: live again" : started ? null : "first event " + type);
            }
            return;
        }
        if (type == SessionEventType.ENDED) {
            SessionState ended = updated.withStatus(SessionState.Status.ENDED);
            enforcer.putSession(ended, stored);
            auditLifecycle(AuditEventType.SESSION_ENDED, ended, now, null);
            return;
        }
        if (stored.status() == SessionState.Status.CUT) {
            enforcer.recut(updated, via, now);
            return;
        }
        // ACTIVE: re-evaluated on every event against REVOKE_AND_DENY directives in force
        Optional<DirectiveRules.Match> match = DirectiveRules.choose(enforcer.inForce(now), updated.resource(), updated.subject(), true);
        if (match.isPresent()) {
            enforcer.cut(updated, CommandKind.REVOKE, match.get(), via, now);
        } else if (changes(stored, updated) || now - stored.lastSeenMs() >= settings.lastSeenGranularityMs()) {
            enforcer.putSession(updated, stored);
        }
        // else: a heartbeat that changes nothing, seen again within the granularity: not written (DESIGN "Bounded state")
    }

    /** @return whether applying {@code next} changes what is enforced or reported about the session */
    private static boolean changes(SessionState stored, SessionState next) {
        return !Objects.equals(stored.resource(), next.resource()) || !Objects.equals(stored.gatewayId(), next.gatewayId())
                || !Objects.equals(stored.subject(), next.subject());
    }

    private void auditLifecycle(AuditEventType type, SessionState s, long now, String note) {
        enforcer.audit(s.sessionId(), enforcer.auditor.event(type, now)
                .session(s.sessionId())
                .detail("resource", s.resource())
                .detail("gatewayId", s.gatewayId())
                .detail("userId", s.subject() == null ? null : s.subject().getUserId())
                .detail("occurredAt", java.time.Instant.ofEpochMilli(s.lastOccurredAt()))
                .detail("note", note), now);
    }

    /** @return whether the task has caught up with its input (see class comment) */
    boolean caughtUp(long now) {
        long catchUp = settings.evictionCatchUpMs();
        if (now - startedAtMs < catchUp) {
            return false;
        }
        if (lastRecordProcessedMs < 0) {
            return true; // nothing arrived since start, for at least catchUp
        }
        return now - lastRecordProcessedMs >= catchUp || lastRecordLagMs <= catchUp;
    }

    private void evict(long ignoredTimestamp) {
        long now = context.currentSystemTimeMs();
        if (!caughtUp(now)) {
            return;
        }
        long g = settings.lastSeenGranularityMs();
        // bucket b holds lastSeen in [b*g, (b+1)*g): due when (b+1)*g + ttl + g <= now, i.e. b < (now - ttl - g) / g
        long firstNotDue = Math.floorDiv(now - settings.sessionTtlMs() - g, g);
        if (firstNotDue <= 0) {
            return;
        }
        List<KeyValue<String, byte[]>> entries = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = enforcer.expiryIndex.range(null, Enforcer.indexKey(firstNotDue, ""))) {
            while (it.hasNext() && entries.size() < settings.evictionBatchSize()) {
                entries.add(it.next());
            }
        }
        for (KeyValue<String, byte[]> entry : entries) {
            String id = entry.key.substring(entry.key.indexOf('\u0000') + 1);
            long bucket = Long.parseLong(entry.key.substring(0, entry.key.indexOf('\u0000')));
            SessionState s = enforcer.session(id);
            if (s == null || enforcer.bucket(s.lastSeenMs()) != bucket) {
                enforcer.expiryIndex.delete(entry.key); // stale entry
                if (s != null) {
                    // indexed under another bucket width (last.seen.granularity.ms changed since it was written):
                    // index it again under its current bucket, or it would never be evicted until written again
                    enforcer.expiryIndex.put(Enforcer.indexKey(enforcer.bucket(s.lastSeenMs()), id), new byte[0]);
                }
                continue;
            }
            enforcer.deleteSession(s);
            if (s.status() != SessionState.Status.ENDED) {
                enforcer.audit(id, enforcer.auditor.event(AuditEventType.SESSION_EVICTED, now)
                        .session(id)
                        .detail("status", s.status())
                        .detail("idleMs", now - s.lastSeenMs())
                        .detail("ttlMs", settings.sessionTtlMs()), now);
            }
        }
    }
}
