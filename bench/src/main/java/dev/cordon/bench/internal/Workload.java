package dev.cordon.bench.internal;

import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Session events of the benchmarks: realistic subjects (~200-byte records), deterministic per index. */
public final class Workload {
    private static final List<String> NATIONALITIES = List.of("DE", "FR", "US", "GB", "JP", "BR", "IN", "NG");
    private static final List<String> ROLES = List.of("customer", "employee", "contractor");

    private Workload() {
    }

    /** @return the subject of user {@code i}: a nationality and role from small rotating lists, an org */
    public static Subject subject(long i) {
        String nat = NATIONALITIES.get((int) (i % NATIONALITIES.size()));
        return Subject.newBuilder().setUserId("u-" + i).setOrgId("org-" + (i % 1000))
                .setNationality(List.of(nat)).setResidenceCountry(nat).setLocationCountry(nat)
                .setRole(List.of(ROLES.get((int) (i % ROLES.size())))).setAttributes(Map.of("tier", "pro")).build();
    }

    /** @return an event of session {@code sessionId} on {@code resource} for user {@code user} */
    public static SessionEvent event(String sessionId, SessionEventType type, String resource, long user, Instant at) {
        return SessionEvent.newBuilder().setSessionId(sessionId).setType(type).setResource(resource)
                .setGatewayId("gw-" + (user % 8)).setOccurredAt(at).setSubject(subject(user)).build();
    }
}
