package dev.cordon.enforcement.internal;

import dev.cordon.avro.CommandKind;
import dev.cordon.avro.Condition;
import dev.cordon.avro.ConditionGroup;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.Scope;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;

/**
 * Synthetic sessions and scopes that exercise every branch of a counting sweep ({@link ParallelCount#count}): ACTIVE,
 * CUT and ENDED sessions; covered and uncovered resources; subjects with none, one or two nationalities and roles,
 * countries present or absent, free attributes or none; scopes with {@code IN} and {@code NOT_IN} conditions on each
 * kind of attribute, exempt groups, everyone, and every resource ({@code "*"}). Nothing here touches a store or a
 * topic: it only gives the JIT a representative profile of the code (see {@link ParallelCount#warmUp}).
 */
public final class CountWarmUp {
    /** Synthetic sessions per round. */
    static final int SESSIONS = 4_096;
    /**
     * Rounds of {@link #start()}: 40 × 6 scopes × 4,096 sessions ≈ 983,000 counted sessions, about a second of one core
     * once per JVM. Fewer (12) left the counting loop itself C1-compiled when the JVM's start kept C2 busy.
     */
    static final int ROUNDS = 40;
    private static final List<String> RESOURCES = List.of("warm-up-a", "warm-up-b", "warm-up-c", "warm-up-d");
    private static final List<String> COUNTRIES = List.of("US", "DE", "CN", "IN", "FR", "BR");
    private static final List<String> ROLES = List.of("employee", "contractor", "vendor", "admin");
    /**
     * Times are present-day milliseconds since the epoch (September 2026), as stored sessions' are: Avro writes longs as
     * variable-length integers, and a profile built on small numbers only was dropped at the first real preview.
     */
    private static final long EPOCH_MS = 1_790_000_000_000L;
    private static final SessionEventType[] TYPES = {SessionEventType.STARTED, SessionEventType.HEARTBEAT,
            SessionEventType.ATTRIBUTES_CHANGED};

    private CountWarmUp() {
    }

    /**
     * Starts the JVM's counting warm-up on a thread of its own, once ({@link ParallelCount#warmUp}); the enforcement app
     * calls it when it starts, so a preview it answers after the warm-up's ~1 s runs compiled code.
     *
     * @return completes with the number of synthetic sessions counted as covered when the warm-up has run
     */
    public static java.util.concurrent.CompletableFuture<Long> start() {
        return ParallelCount.warmUp(ROUNDS);
    }

    /**
     * Counts the synthetic sessions under each of {@link #scopes()}, {@code rounds} times.
     *
     * @return sessions counted as covered, over all rounds and scopes (a checksum the caller can compare)
     * @throws IllegalArgumentException when {@code rounds < 1}
     */
    static long run(int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be at least 1, was " + rounds);
        }
        List<KeyValue<String, byte[]>> sessions = sessions();
        List<Scope> scopes = scopes();
        AtomicBoolean never = new AtomicBoolean();
        // three kinds of iterator, so the JIT compiles the loop's iterator calls as calls to any iterator (megamorphic)
        // and the store's iterator of the first real count does not invalidate the compiled code
        List<List<KeyValue<String, byte[]>>> views = List.of(sessions, new java.util.LinkedList<>(sessions),
                java.util.Collections.unmodifiableList(sessions));
        long covered = 0;
        for (int round = 0; round < rounds; round++) {
            for (Scope scope : scopes) {
                covered += ParallelCount.count(views.get(round % views.size()).iterator(), scope, 100, never).covered;
            }
        }
        return covered;
    }

    /** @return {@link #SESSIONS} stored sessions (id, {@link SessionState#SERDE} bytes) of varied status and subject */
    static List<KeyValue<String, byte[]>> sessions() {
        Serializer<SessionState> encode = SessionState.SERDE.serializer();
        List<KeyValue<String, byte[]>> sessions = new ArrayList<>(SESSIONS);
        for (int i = 0; i < SESSIONS; i++) {
            String id = String.format("warm-up-%05d", i);
            SessionState.Status status = i % 10 == 0 ? SessionState.Status.CUT
                    : i % 10 == 1 ? SessionState.Status.ENDED : SessionState.Status.ACTIVE;
            SessionState.Cut cut = status == SessionState.Status.CUT
                    ? new SessionState.Cut(CommandKind.REVOKE, 1, "warm-up", 1, ScopeMatcher.EVERYONE, null, "c-" + i,
                    EPOCH_MS + i)
                    : null;
            List<SessionState.Fingerprint> recent = new ArrayList<>();
            for (int r = 0; r <= i % 3; r++) {
                recent.add(SessionState.fingerprint(TYPES[r], EPOCH_MS + 1_000L * i - r));
            }
            long at = EPOCH_MS + 1_000L * i;
            SessionState state = new SessionState(id, status, at, TYPES[i % TYPES.length],
                    i % 97 == 0 ? null : RESOURCES.get(i % RESOURCES.size()), "gw-" + i % 7, subject(i), at, cut, recent);
            sessions.add(KeyValue.pair(id, encode.serialize(Names.SESSIONS_STORE, state)));
        }
        return sessions;
    }

    private static Subject subject(int i) {
        List<String> nationality = new ArrayList<>();
        for (int n = 0; n < i % 3; n++) {
            nationality.add(COUNTRIES.get((i + 2 * n) % COUNTRIES.size()));
        }
        List<String> role = new ArrayList<>();
        for (int r = 0; r < (i / 3) % 3; r++) {
            role.add(ROLES.get((i + r) % ROLES.size()));
        }
        return Subject.newBuilder()
                .setUserId("warm-up-user-" + i)
                .setOrgId(i % 5 == 0 ? null : "org-" + i % 13)
                .setNationality(nationality)
                .setResidenceCountry(i % 4 == 0 ? null : COUNTRIES.get(i % COUNTRIES.size()))
                .setLocationCountry(i % 6 == 0 ? null : COUNTRIES.get((i / 2) % COUNTRIES.size()).toLowerCase(java.util.Locale.ROOT))
                .setRole(role)
                .setAttributes(i % 3 == 0 ? Map.of() : Map.of("tier", i % 2 == 0 ? "pro" : "free", "team", "t" + i % 4))
                .build();
    }

    /**
     * @return scopes that between them use every attribute, both operators, exempt groups, everyone and {@code "*"}; read
     *         back from Avro binary, as the scope of a multicast directive change is, so their lists are Avro's own
     *         ({@code GenericData.Array}): a profile built on other list classes would be dropped (deoptimised) at the
     *         first real preview
     */
    static List<Scope> scopes() {
        List<Scope> built = List.of(
                scope(List.of("warm-up-a", "warm-up-b"), List.of(group(cond("nationality", ConditionOp.NOT_IN, "US"))),
                        List.of(group(cond("role", ConditionOp.IN, "admin")))),
                scope(List.of("*"), List.of(), List.of()),
                scope(List.of("warm-up-a"), List.of(group(cond("role", ConditionOp.IN, "contractor", "vendor")),
                        group(cond("attr.tier", ConditionOp.IN, "pro"))), List.of()),
                scope(List.of("warm-up-b", "warm-up-c"), List.of(group(cond("residenceCountry", ConditionOp.IN, "CN", "IN"),
                                cond("locationCountry", ConditionOp.NOT_IN, "US"))),
                        List.of(group(cond("orgId", ConditionOp.IN, "org-1")), group(cond("userId", ConditionOp.IN, "warm-up-user-7")))),
                scope(List.of("*"), List.of(group(cond("nationality", ConditionOp.IN, "DE", "FR"), cond("role", ConditionOp.NOT_IN,
                        "employee"))), List.of(group(cond("attr.team", ConditionOp.IN, "t0")))),
                scope(List.of("no-such-resource"), List.of(), List.of()));
        return built.stream().map(scope -> SCOPE.deserializer().deserialize("warm-up", SCOPE.serializer().serialize("warm-up", scope)))
                .toList();
    }

    private static final org.apache.kafka.common.serialization.Serde<Scope> SCOPE =
            StateCodec.serde(1, (v, out) -> out.record(v), in -> in.record(Scope.class));

    private static Scope scope(List<String> resources, List<ConditionGroup> subjects, List<ConditionGroup> exempt) {
        return Scope.newBuilder().setResources(resources).setSubjects(subjects).setExempt(exempt).build();
    }

    private static ConditionGroup group(Condition... all) {
        return ConditionGroup.newBuilder().setAll(List.of(all)).build();
    }

    private static Condition cond(String attribute, ConditionOp op, String... values) {
        return Condition.newBuilder().setAttribute(attribute).setOp(op).setValues(List.of(values)).build();
    }
}
