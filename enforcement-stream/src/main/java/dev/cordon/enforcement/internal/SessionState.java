package dev.cordon.enforcement.internal;

import dev.cordon.avro.CommandKind;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import java.io.IOException;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * One session as its task knows it (DESIGN.md "Session state machine").
 *
 * @param sessionId      key
 * @param status         ACTIVE, CUT or ENDED
 * @param lastOccurredAt gateway clock of the last applied event (ms since epoch); orders this session's events only
 * @param lastType       type of the last applied event (exact-duplicate detection with {@code lastOccurredAt})
 * @param resource       current resource
 * @param gatewayId      current gateway
 * @param subject        current subject
 * @param lastSeenMs     task wall clock when the last event was applied (TTL eviction)
 * @param cut            why it was first cut and the last attempt; kept after ENDED; {@code null} if never cut
 */
public record SessionState(String sessionId, Status status, long lastOccurredAt, SessionEventType lastType,
                           String resource, String gatewayId, Subject subject, long lastSeenMs, Cut cut) {

    /** Session status. */
    public enum Status { ACTIVE, CUT, ENDED }

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

    /** Store serde (internal format 1). */
    public static final Serde<SessionState> SERDE = StateCodec.serde(1, SessionState::write, SessionState::read);

    public SessionState {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(status, "status");
    }

    public SessionState withStatus(Status next) {
        return new SessionState(sessionId, next, lastOccurredAt, lastType, resource, gatewayId, subject, lastSeenMs, cut);
    }

    public SessionState withCut(Cut next) {
        return new SessionState(sessionId, Status.CUT, lastOccurredAt, lastType, resource, gatewayId, subject, lastSeenMs, next);
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
    }

    private static SessionState read(StateCodec.In in) throws IOException {
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
        return new SessionState(id, status, occurred, type < 0 ? null : SessionEventType.values()[type],
                resource, gateway, subject, lastSeen, cut);
    }
}
