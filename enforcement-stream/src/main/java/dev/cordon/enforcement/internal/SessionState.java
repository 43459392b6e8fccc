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

    /**
     * Store serde: internal format 3 (subject written field by field). Formats 1 (without {@code recent}) and 2 (subject
     * as schema-driven Avro binary) are still read: changelogs of earlier versions hold them.
     */
    public static final Serde<SessionState> SERDE = StateCodec.serde(3, SessionState::write,
            java.util.Map.of(1, in -> read(in, 1), 2, in -> read(in, 2), 3, in -> read(in, 3)));

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

    /** What a sweep reads of a stored live session: its resource and subject. */
    public record Live(String resource, Subject subject) {
    }

    /**
     * Reads only what a sweep needs of a stored session (the encoded value of {@link #SERDE}): a sweep visits every
     * session of its task, and decoding the whole state of each (ids, duplicate fingerprints, cut) was most of its CPU.
     *
     * @param bytes           a value written by {@link #SERDE}, any readable format
     * @param resourceCovered whether the sweep's scope covers a resource; the subject is decoded only if it does
     * @return the session's resource and subject; {@code null} when it is not ACTIVE or its resource is not covered
     * @throws org.apache.kafka.common.errors.SerializationException when the value is unreadable
     */
    public static Live readLive(byte[] bytes, java.util.function.Predicate<String> resourceCovered) {
        return readLive(bytes, resourceCovered, null);
    }

    /**
     * As {@link #readLive(byte[], java.util.function.Predicate)}, decoding of the subject only nationality, role and
     * {@code attributes} (see {@code StateCodec.In.subject(Set)}): a counting sweep reads 1,000,000 sessions, and the
     * strings it never looks at (user id, org, countries, free attributes) were most of what it allocated.
     *
     * @param attributes the subject attributes to decode; {@code null} = all of them
     */
    public static Live readLive(byte[] bytes, java.util.function.Predicate<String> resourceCovered,
                                java.util.Set<String> attributes) {
        return new LiveReader(resourceCovered, attributes).read(bytes);
    }

    /**
     * {@link #readLive(byte[], java.util.function.Predicate, java.util.Set)} for many stored sessions in a row, as a
     * sweep reads them: one Avro decoder reused for every value, the fields to decode worked out once, and resources,
     * nationalities and roles interned (at most 4,096 distinct values) instead of copied per session. Not thread-safe:
     * one per sweep or worker.
     */
    public static final class LiveReader {
        private final java.util.function.Predicate<String> resourceCovered;
        private final StateCodec.SubjectFields fields;
        private final StateCodec.Interner interner = new StateCodec.Interner(4_096);
        private org.apache.avro.io.BinaryDecoder decoder;
        private StateCodec.In in;

        /**
         * @param resourceCovered whether the sweep's scope covers a resource; the subject is decoded only if it does
         * @param attributes      the subject attributes to decode; {@code null} = all of them
         */
        public LiveReader(java.util.function.Predicate<String> resourceCovered, java.util.Set<String> attributes) {
            this.resourceCovered = resourceCovered;
            this.fields = attributes == null ? null : StateCodec.SubjectFields.of(attributes);
        }

        /**
         * @return the session's resource and subject; {@code null} when it is not ACTIVE or its resource is not covered
         * @throws org.apache.kafka.common.errors.SerializationException when the value is unreadable
         */
        public Live read(byte[] bytes) {
            try {
                org.apache.avro.io.BinaryDecoder next = org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes, decoder);
                if (next != decoder) {
                    decoder = next;
                    in = new StateCodec.In(next, interner);
                }
                int version = readableVersion(in);
                in.skipString(); // sessionId: the store key
                if (in.integer() != Status.ACTIVE.ordinal()) {
                    return null;
                }
                in.longValue(); // lastOccurredAt
                in.integer(); // lastType
                String resource = in.nullableString();
                if (!resourceCovered.test(resource)) {
                    return null;
                }
                in.skipNullableString(); // gatewayId
                return new Live(resource, version < 3 ? in.record(Subject.class) : fields == null ? in.subject() : in.subject(fields));
            } catch (IOException | RuntimeException e) {
                if (e instanceof org.apache.kafka.common.errors.SerializationException se) {
                    throw se;
                }
                throw new org.apache.kafka.common.errors.SerializationException("unreadable internal state: " + e, e);
            }
        }
    }

    /**
     * @return the format version at the start of a stored value, read from {@code in}
     * @throws org.apache.kafka.common.errors.SerializationException when this version does not read that format
     */
    private static int readableVersion(StateCodec.In in) throws IOException {
        int version = in.integer();
        if (version < 1 || version > 3) {
            throw new org.apache.kafka.common.errors.SerializationException("internal state format " + version
                    + " is not readable by this version (reads 1..3)");
        }
        return version;
    }

    /** @return whether a stored value (of {@link #SERDE}) is an ACTIVE session, without decoding the rest */
    public static boolean isActive(byte[] bytes) {
        return statusOf(bytes) == Status.ACTIVE;
    }

    private static Status statusOf(byte[] bytes) {
        try {
            StateCodec.In in = StateCodec.open(bytes);
            readableVersion(in);
            in.skipString();
            int status = in.integer();
            if (status < 0 || status >= Status.values().length) {
                throw new org.apache.kafka.common.errors.SerializationException("unreadable internal state: session status "
                        + status + ", expected 0.." + (Status.values().length - 1));
            }
            return Status.values()[status];
        } catch (IOException e) {
            throw new org.apache.kafka.common.errors.SerializationException("unreadable internal state: " + e, e);
        }
    }

    private static void write(SessionState v, StateCodec.Out out) throws IOException {
        out.string(v.sessionId);
        out.integer(v.status.ordinal());
        out.longValue(v.lastOccurredAt);
        out.integer(v.lastType == null ? -1 : v.lastType.ordinal());
        out.nullableString(v.resource);
        out.nullableString(v.gatewayId);
        out.subject(v.subject);
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
        Subject subject = version >= 3 ? in.subject() : in.record(Subject.class);
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
