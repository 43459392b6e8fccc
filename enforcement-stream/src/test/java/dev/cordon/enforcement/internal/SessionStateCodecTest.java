package dev.cordon.enforcement.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cordon.avro.CommandKind;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The sessions store's value format: what is written is read back, and values of earlier formats stay readable. */
class SessionStateCodecTest {

    private static final Subject FULL = new Subject("u-1", "org-7", List.of("DE", "FR"), "GB", "US", List.of("employee", "contractor"),
            Map.of("attr.clearance", "secret", "team", "ü-ñ 🚀"));
    private static final Subject SPARSE = new Subject("u-2", null, List.of(), null, null, List.of(), Map.of());

    private static SessionState state(Subject subject) {
        return new SessionState("s-1", SessionState.Status.CUT, 1_700_000_000_123L, SessionEventType.HEARTBEAT, "fable-5", "gw-1",
                subject, 1_700_000_001_000L,
                new SessionState.Cut(CommandKind.REVOKE, 2, "BIS-1", 3, "scope.resources", "15 CFR 744.23", "c-1", 1_700_000_000_500L),
                List.of(SessionState.fingerprint(SessionEventType.STARTED, 1L), SessionState.fingerprint(SessionEventType.HEARTBEAT, 2L)));
    }

    private static SessionState roundTrip(SessionState s) {
        byte[] bytes = SessionState.SERDE.serializer().serialize("t", s);
        return SessionState.SERDE.deserializer().deserialize("t", bytes);
    }

    @Test
    void shouldReadBackEveryFieldOfASessionWithAFullSubject() {
        assertThat(roundTrip(state(FULL))).isEqualTo(state(FULL));
    }

    @Test
    void shouldReadBackASubjectWithOnlyItsRequiredFieldsAndASessionWithoutSubjectOrCut() {
        assertThat(roundTrip(state(SPARSE))).isEqualTo(state(SPARSE));
        SessionState bare = new SessionState("s-2", SessionState.Status.ACTIVE, 5L, null, null, null, null, 6L, null, List.of());
        assertThat(roundTrip(bare)).isEqualTo(bare);
    }

    @Test
    void shouldReadAValueWrittenInFormat2WithTheSubjectAsSchemaDrivenAvro() {
        // Given a value as the previous version wrote it: format 2, the subject as plain Avro binary of its schema
        SessionState s = state(FULL);
        byte[] format2 = StateCodec.encode(2, (v, out) -> {
            out.string(v.sessionId());
            out.integer(v.status().ordinal());
            out.longValue(v.lastOccurredAt());
            out.integer(v.lastType().ordinal());
            out.nullableString(v.resource());
            out.nullableString(v.gatewayId());
            out.record(v.subject());
            out.longValue(v.lastSeenMs());
            out.bool(true);
            out.integer(v.cut().kind().ordinal());
            out.integer(v.cut().attempt());
            out.string(v.cut().directiveId());
            out.integer(v.cut().directiveRevision());
            out.string(v.cut().matched());
            out.nullableString(v.cut().legalBasis());
            out.nullableString(v.cut().changeId());
            out.longValue(v.cut().cutAtMs());
            out.integer(v.recent().size());
            for (SessionState.Fingerprint f : v.recent()) {
                out.integer(f.type().ordinal());
                out.longValue(f.occurredAt());
            }
        }, s);

        // When the current serde reads it, Then it is the same session
        assertThat(SessionState.SERDE.deserializer().deserialize("t", format2)).isEqualTo(s);
    }

    @Test
    void shouldRefuseAFormatItDoesNotKnowNamingTheFormatsItReads() {
        byte[] future = StateCodec.encode(9, (v, out) -> out.string(v), "x");
        assertThatThrownBy(() -> SessionState.SERDE.deserializer().deserialize("t", future))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("format 9").hasMessageContaining("1").hasMessageContaining("3");
    }

    @Test
    void shouldReadTheResourceAndSubjectOfAnActiveSessionForASweepWithoutTheRest() {
        SessionState active = state(FULL).withStatus(SessionState.Status.ACTIVE);
        byte[] bytes = SessionState.SERDE.serializer().serialize("t", active);

        assertThat(SessionState.readLive(bytes, r -> true)).isEqualTo(new SessionState.Live("fable-5", FULL));
        assertThat(SessionState.isActive(bytes)).isTrue();
    }

    @Test
    void shouldSkipASessionThatIsNotActiveOrWhoseResourceIsNotCovered() {
        byte[] cut = SessionState.SERDE.serializer().serialize("t", state(FULL));
        byte[] ended = SessionState.SERDE.serializer().serialize("t", state(FULL).withStatus(SessionState.Status.ENDED));
        byte[] active = SessionState.SERDE.serializer().serialize("t", state(FULL).withStatus(SessionState.Status.ACTIVE));

        assertThat(SessionState.readLive(cut, r -> true)).isNull();
        assertThat(SessionState.readLive(ended, r -> true)).isNull();
        assertThat(SessionState.isActive(cut)).isFalse();
        assertThat(SessionState.readLive(active, "mythos-5"::equals)).isNull();
    }

    @Test
    void shouldRefuseATruncatedValueWhenReadForASweep() {
        byte[] bytes = SessionState.SERDE.serializer().serialize("t", state(FULL).withStatus(SessionState.Status.ACTIVE));
        byte[] truncated = java.util.Arrays.copyOf(bytes, 12);
        assertThatThrownBy(() -> SessionState.readLive(truncated, r -> true)).isInstanceOf(SerializationException.class);
    }

    @Test
    void shouldRefuseAnUnknownFormatOrStatusWhenOnlyTheStatusIsRead() {
        byte[] future = StateCodec.encode(9, (v, out) -> {
            out.string(v);
            out.integer(0);
        }, "s-1");
        byte[] badStatus = StateCodec.encode(3, (v, out) -> {
            out.string(v);
            out.integer(7);
        }, "s-1");
        assertThatThrownBy(() -> SessionState.isActive(future)).isInstanceOf(SerializationException.class).hasMessageContaining("format 9");
        assertThatThrownBy(() -> SessionState.isActive(badStatus)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("status 7");
    }

    @Test
    void shouldDecodeForACountingSweepOnlyTheSubjectFieldsItsScopeReadsBesideNationalityAndRole() {
        byte[] bytes = SessionState.SERDE.serializer().serialize("t", state(FULL).withStatus(SessionState.Status.ACTIVE));

        // a scope on role only: nationality and role, nothing else
        Subject lean = SessionState.readLive(bytes, r -> true, java.util.Set.of("role")).subject();
        assertThat(lean.getNationality()).isEqualTo(FULL.getNationality());
        assertThat(lean.getRole()).isEqualTo(FULL.getRole());
        assertThat(lean.getUserId()).isEmpty();
        assertThat(lean.getOrgId()).isNull();
        assertThat(lean.getResidenceCountry()).isNull();
        assertThat(lean.getLocationCountry()).isNull();
        assertThat(lean.getAttributes()).isEmpty();

        // a scope on every other attribute: all of them
        Subject all = SessionState.readLive(bytes, r -> true,
                java.util.Set.of("userId", "orgId", "residenceCountry", "locationCountry", "attr.team")).subject();
        assertThat(all).isEqualTo(FULL);
    }
}
