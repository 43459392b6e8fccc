package dev.cordon.enforcement.internal;

import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.CommandKind;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.enforcement.EnforcementSettings;
import dev.cordon.schemas.serde.DecodeFailures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * {@value Names#MATCH_SESSIONS}: applies each session event to the session state machine of DESIGN.md
 * "Session state machine" against the directives in force on this task now, and evicts idle sessions.
 *
 * <p>Eviction waits until the task has caught up with its input (so a restart after downtime never evicts
 * live sessions whose events are still unread): the task has run for {@code evictionCatchUpMs} and either its
 * last session record was appended (broker LogAppendTime) at most {@code evictionCatchUpMs} before it was
 * processed — the task works at the head of the log — or no record arrived for {@code evictionCatchUpMs}. The
 * pass is a cursor over the session store, {@code evictionBatchSize} entries per {@code evictionIntervalMs}.
 * Live (ACTIVE/CUT) evictions are audited; ENDED tombstones are dropped silently after the TTL.
 */
final class MatchSessionsProcessor implements Processor<byte[], byte[], String, Emit> {
    private final Deserializer<SessionEvent> deserializer;
    private final EnforcementSettings settings;
    private ProcessorContext<String, Emit> context;
    private Enforcer enforcer;
    private long startedAtMs;
    private long lastRecordProcessedMs = -1;
    private long lastRecordLagMs;
    private String evictionCursor;

    MatchSessionsProcessor(Deserializer<SessionEvent> deserializer, EnforcementSettings settings) {
        this.deserializer = deserializer;
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, Emit> context) {
        this.context = context;
        this.enforcer = new Enforcer(context, settings.component());
        this.startedAtMs = context.currentSystemTimeMs();
        context.schedule(Duration.ofMillis(settings.evictionIntervalMs()), PunctuationType.WALL_CLOCK_TIME, this::evict);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        long now = context.currentSystemTimeMs();
        lastRecordProcessedMs = now;
        lastRecordLagMs = Math.max(0, now - record.timestamp());
        SessionEvent event;
        try {
            event = decode(record);
        } catch (RuntimeException e) {
            if (DecodeFailures.isEnvironmental(e)) {
                throw e; // the registry or network, not the record: fail the task and retry, never dead-letter a good record
            }
            DeadLetters.forward(context, enforcer.auditor, record, e, now);
            return;
        }
        apply(event, now);
    }

    private SessionEvent decode(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
        SessionEvent event = deserializer.deserialize(topic, record.headers(), record.value());
        if (event == null) {
            throw new IllegalArgumentException("value: a session event must not be null (tombstone)");
        }
        if (event.getSessionId() == null || event.getSessionId().isEmpty()) {
            throw new IllegalArgumentException("sessionId: must not be empty");
        }
        if (event.getType() == null || event.getType() == SessionEventType.UNKNOWN) {
            throw new IllegalArgumentException("type: " + event.getType() + " is not STARTED, HEARTBEAT, ATTRIBUTES_CHANGED or ENDED");
        }
        if (event.getSubject() == null || event.getResource() == null || event.getOccurredAt() == null) {
            throw new IllegalArgumentException("subject, resource and occurredAt are required");
        }
        if (record.key() != null) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            if (!key.equals(event.getSessionId())) {
                throw new IllegalArgumentException("key: " + key + " does not match sessionId " + event.getSessionId()
                        + " (the session would be enforced on the wrong partition)");
            }
        }
        return event;
    }

    private void apply(SessionEvent event, long now) {
        String id = event.getSessionId();
        long occurredAt = event.getOccurredAt().toEpochMilli();
        SessionEventType type = event.getType();
        SessionState stored = enforcer.sessions.get(id);
        if (stored != null) {
            if (stored.status() == SessionState.Status.ENDED) {
                if (occurredAt <= stored.lastOccurredAt()) {
                    return; // late (or duplicate) event of an ended session: ignored
                }
            } else if (occurredAt < stored.lastOccurredAt() || occurredAt == stored.lastOccurredAt() && type == stored.lastType()) {
                return; // exact duplicate, or older than what was applied: ignored
            }
        }
        SessionState.Status status = stored == null ? SessionState.Status.ACTIVE : stored.status();
        SessionState updated = new SessionState(id, status, occurredAt, type, event.getResource(), event.getGatewayId(),
                event.getSubject(), now, stored == null ? null : stored.cut());
        String via = type.name();

        if (stored == null || stored.status() == SessionState.Status.ENDED) {
            // unknown, or ended and now live again (later occurredAt): fail closed
            if (type == SessionEventType.ENDED) {
                enforcer.sessions.put(id, updated.withStatus(SessionState.Status.ENDED));
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
                enforcer.sessions.put(id, active);
                auditLifecycle(AuditEventType.SESSION_STARTED, active, now, started ? null : "first event " + type);
            }
            return;
        }
        if (type == SessionEventType.ENDED) {
            SessionState ended = updated.withStatus(SessionState.Status.ENDED);
            enforcer.sessions.put(id, ended);
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
        } else {
            enforcer.sessions.put(id, updated);
        }
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
        List<KeyValue<String, SessionState>> batch = new ArrayList<>();
        boolean exhausted = true;
        try (KeyValueIterator<String, SessionState> it = enforcer.sessions.range(evictionCursor, null)) {
            int examined = 0;
            while (it.hasNext()) {
                KeyValue<String, SessionState> kv = it.next();
                if (kv.key.equals(evictionCursor)) {
                    continue;
                }
                if (examined == settings.evictionBatchSize()) {
                    exhausted = false;
                    break;
                }
                examined++;
                evictionCursor = kv.key;
                if (now - kv.value.lastSeenMs() >= settings.sessionTtlMs()) {
                    batch.add(kv);
                }
            }
        }
        if (exhausted) {
            evictionCursor = null; // next pass starts over
        }
        for (KeyValue<String, SessionState> kv : batch) {
            enforcer.sessions.delete(kv.key);
            if (kv.value.status() != SessionState.Status.ENDED) {
                enforcer.audit(kv.key, enforcer.auditor.event(AuditEventType.SESSION_EVICTED, now)
                        .session(kv.key)
                        .detail("status", kv.value.status())
                        .detail("idleMs", now - kv.value.lastSeenMs())
                        .detail("ttlMs", settings.sessionTtlMs()), now);
            }
        }
    }
}
