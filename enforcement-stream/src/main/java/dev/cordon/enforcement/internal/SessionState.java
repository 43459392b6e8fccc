package dev.cordon.enforcement.internal;

import dev.cordon.avro.CommandKind;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * One session as its task knows it (DESIGN.md "Session state machine").
 *
 * @param sessionId      key
 * @param status         ACTIVE, CUT or ENDED
 * @param lastOccurredAt ordering time (gateway clock, ms since epoch; a value more than the skew tolerance ahead of the
 *                       task wall clock is replaced by the wall clock) of the last applied event; for an ENDED session,
 *                       of its end: later events make it live again, earlier ones are late and ignored
 * @param lastType       type of the last applied event
 * @param resource       current resource
 * @param gatewayId      current gateway
 * @param subject        current subject
 * @param lastSeenMs     task wall clock when an event was last recorded (TTL eviction); updated coarsely, at most
 *                       {@code lastSeenGranularityMs} behind
 * @param cut            why it was first cut and the last attempt; kept after ENDED; {@code null} if never cut
 * @param recent         fingerprints ({@link #fingerprint}) of the last {@value #RECENT} recorded events, newest last:
 *                       an event matching one is an exact duplicate and ignored
 */
public record SessionState(String sessionId, Status status, long lastOccurredAt, SessionEventType lastType,
                           String resource, String gatewayId, Subject subject, long lastSeenMs, Cut cut,
                           List<Fingerprint> recent) {

    /** How many recorded events duplicate detection remembers per session. */
    public static final int RECENT = 8;

    /** Session status. */
    public enum Status { ACTIVE, CUT, ENDED }

    /** What makes two events of one session exact duplicates: type and raw {@code occurredAt} (DESIGN.md). */
    public record Fingerprint(SessionEventType type, long occurredAt) {
    }

    /**
     * Why a session was cut: the command kind of the first cut, the directive that first cut it
     * (re-revocations name it), and the last attempt number issued.
     */
    public record Cut(CommandKind kind, int attempt, String directiveId, int directiveRevision, String matched,
                      String legalBasis, String changeId, long cutAtMs) {
        public Cut withAttempt(int next) {
            return new Cut(kind, next, directiveId, directiveRevision, matched, legalBasis, changeId, cutAtMs);
        }
    }

    /** Store serde (internal format 2; format 1, without {@code recent}, is still read). */
    public static final Serde<SessionState> SERDE = StateCodec.serde(2, SessionState::write,
            java.util.Map.of(1, in -> read(in, 1), 2, in -> read(in, 2)));

    public SessionState {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(status, "status");
        recent = recent == null ? List.of() : List.copyOf(recent);
    }

    /** @return the fingerprint of an event */
    public static Fingerprint fingerprint(SessionEventType type, long occurredAt) {
        return new Fingerprint(type, occurredAt);
    }

    /** @return whether an event with this fingerprint was recorded recently (an exact duplicate) */
    public boolean isDuplicate(Fingerprint f) {
        return recent.contains(f);
    }

    public SessionState withStatus(Status next) {
        return new SessionState(sessionId, next, lastOccurredAt, lastType, resource, gatewayId, subject, lastSeenMs, cut, recent);
    }

    public SessionState withCut(Cut next) {
        return new SessionState(sessionId, Status.CUT, lastOccurredAt, lastType, resource, gatewayId, subject, lastSeenMs, next, recent);
    }

    /** @return this state with {@code f} remembered (oldest forgotten beyond {@value #RECENT}) */
    public SessionState remember(Fingerprint f) {
        List<Fingerprint> next = new ArrayList<>(recent);
        next.remove(f);
        next.add(f);
        while (next.size() > RECENT) {
            next.remove(0);
        }
        return new SessionState(sessionId, status, lastOccurredAt, lastType, resource, gatewayId, subject, lastSeenMs, cut, next);
    }

    private static void write(SessionState v, StateCodec.Out out) throws IOException {
        out.string(v.sessionId);
        out.integer(v.status.ordinal());
        out.longValue(v.lastOccurredAt);
        out.integer(v.lastType == null ? -1 : v.lastType.ordinal());
        out.nullableString(v.resource);
        out.nullableString(v.gatewayId);
        out.record(v.subject);
        out.longValue(v.lastSeenMs);
        out.bool(v.cut != null);
        if (v.cut != null) {
            out.integer(v.cut.kind().ordinal());
            out.integer(v.cut.attempt());
            out.string(v.cut.directiveId());
            out.integer(v.cut.directiveRevision());
            out.string(v.cut.matched());
            out.nullableString(v.cut.legalBasis());
            out.nullableString(v.cut.changeId());
            out.longValue(v.cut.cutAtMs());
        }
        out.integer(v.recent.size());
        for (Fingerprint f : v.recent) {
            out.integer(f.type().ordinal());
            out.longValue(f.occurredAt());
        }
    }

    private static SessionState read(StateCodec.In in, int version) throws IOException {
        String id = in.string();
        Status status = Status.values()[in.integer()];
        long occurred = in.longValue();
        int type = in.integer();
        String resource = in.nullableString();
        String gateway = in.nullableString();
        Subject subject = in.record(Subject.class);
        long lastSeen = in.longValue();
        Cut cut = null;
        if (in.bool()) {
            cut = new Cut(CommandKind.values()[in.integer()], in.integer(), in.string(), in.integer(), in.string(),
                    in.nullableString(), in.nullableString(), in.longValue());
        }
        SessionEventType lastType = type < 0 ? null : SessionEventType.values()[type];
        List<Fingerprint> recent = new ArrayList<>();
        if (version >= 2) {
            int n = in.integer();
            for (int i = 0; i < n; i++) {
                recent.add(new Fingerprint(SessionEventType.values()[in.integer()], in.longValue()));
            }
        } else if (lastType != null) {
            recent.add(new Fingerprint(lastType, occurred));
        }
        return new SessionState(id, status, occurred, lastType, resource, gateway, subject, lastSeen, cut, recent);
    }
}
