package dev.cordon.enforcement;

import dev.cordon.avro.Condition;
import dev.cordon.avro.ConditionGroup;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.Scope;
import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import dev.cordon.enforcement.model.ReferenceModel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Random timelines for the differential tests: one input per 1000 ms tick (a session event, a directive change, or
 * nothing); directive effective times fall 510..590 ms after a tick, so the activation check that follows (and the
 * sweeps it starts) completes before the next input, on the topology and in the model alike.
 */
final class Timelines {
    static final long TICK_MS = 1000;
    static final String[] SESSIONS = {"s0", "s1", "s2", "s3"};
    static final String[] RESOURCES = {"fable-5", "mythos-5", "haiku-4"};
    static final String[] DIRECTIVES = {"D-A", "D-B", "D-C"};
    static final long YEAR_2100 = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();

    private Timelines() {
    }

    /** How a session event's occurredAt relates to its tick. */
    enum When { NORMAL, DUPLICATE_OF_PREVIOUS, OLDER, YEAR_2100, SECONDS_NOT_MS, NEAR_FUTURE }

    sealed interface Step permits SessionStep, DirectiveStep, Quiet {
    }

    record SessionStep(int session, ReferenceModel.Type type, int resource, ReferenceModel.Subject subject, When when,
                       boolean nullKey) implements Step {
    }

    /** fromTicks: -2 past, 0 arrival, 1..3 ticks ahead (+ offset); untilTicks: -1 open, else ticks ahead (+ offset). */
    record DirectiveStep(int directive, int revision, boolean lift, boolean dryRun, boolean denyNew, int fromTicks,
                         int fromOffset, int untilTicks, int untilOffset, List<String> resources,
                         List<List<ReferenceModel.Condition>> subjects, List<List<ReferenceModel.Condition>> exempt) implements Step {
    }

    record Quiet() implements Step {
    }

    // ------------------------------------------------------------------ generators

    static Arbitrary<List<Step>> timelines(int minSteps, int maxSteps) {
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, sessionSteps()),
                net.jqwik.api.Tuple.of(2, directiveSteps()),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Quiet())));
        return step.list().ofMinSize(minSteps).ofMaxSize(maxSteps);
    }

    static Arbitrary<ReferenceModel.Subject> subjects() {
        return Combinators.combine(
                Arbitraries.of("u1", "u2"),
                Arbitraries.of("acme", "globex"),
                Arbitraries.subsetOf("US", "DE", "CN").map(s -> s.stream().sorted().toList()),
                Arbitraries.of("US", "DE", "none"),
                Arbitraries.subsetOf("customer", "employee", "contractor").map(s -> s.stream().sorted().toList()),
                Arbitraries.of("gold", "none")
        ).as((user, org, nat, loc, role, tier) -> new ReferenceModel.Subject(user, org, nat,
                nat.isEmpty() ? null : nat.get(0), "none".equals(loc) ? null : loc, role,
                "none".equals(tier) ? Map.of() : Map.of("tier", tier)));
    }

    static Arbitrary<Step> sessionSteps() {
        return Combinators.combine(
                Arbitraries.integers().between(0, SESSIONS.length - 1),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(3, ReferenceModel.Type.STARTED), net.jqwik.api.Tuple.of(4, ReferenceModel.Type.HEARTBEAT),
                        net.jqwik.api.Tuple.of(2, ReferenceModel.Type.ATTRIBUTES_CHANGED), net.jqwik.api.Tuple.of(2, ReferenceModel.Type.ENDED)),
                Arbitraries.integers().between(0, RESOURCES.length - 1),
                subjects(),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(8, When.NORMAL), net.jqwik.api.Tuple.of(2, When.DUPLICATE_OF_PREVIOUS),
                        net.jqwik.api.Tuple.of(2, When.OLDER), net.jqwik.api.Tuple.of(2, When.YEAR_2100),
                        net.jqwik.api.Tuple.of(1, When.SECONDS_NOT_MS), net.jqwik.api.Tuple.of(1, When.NEAR_FUTURE)),
                Arbitraries.of(false, false, false, false, false, false, false, true)
        ).as(SessionStep::new);
    }

    static Arbitrary<ReferenceModel.Condition> conditions() {
        Arbitrary<String> attribute = Arbitraries.of("nationality", "role", "locationCountry", "attr.tier", "orgId");
        return attribute.flatMap(a -> {
            String[] domain = switch (a) {
                case "nationality", "locationCountry" -> new String[] {"US", "DE", "CN"};
                case "role" -> new String[] {"customer", "employee", "contractor"};
                case "attr.tier" -> new String[] {"gold", "silver"};
                default -> new String[] {"acme", "globex"};
            };
            return Combinators.combine(Arbitraries.of(true, false), Arbitraries.subsetOf(domain).ofMinSize(1))
                    .as((in, values) -> new ReferenceModel.Condition(a, in, values.stream().sorted().toList()));
        });
    }

    static Arbitrary<List<List<ReferenceModel.Condition>>> groups(int max) {
        return conditions().list().ofMinSize(1).ofMaxSize(2).list().ofMinSize(0).ofMaxSize(max);
    }

    static Arbitrary<Step> directiveSteps() {
        Arbitrary<List<String>> resources = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just(List.of("*"))),
                net.jqwik.api.Tuple.of(4, Arbitraries.subsetOf(RESOURCES).ofMinSize(1).map(s -> s.stream().sorted().toList())));
        Arbitrary<int[]> head = Combinators.combine(
                Arbitraries.integers().between(0, DIRECTIVES.length - 1),
                Arbitraries.integers().between(1, 4),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(1, 1), net.jqwik.api.Tuple.of(6, 0)),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(1, 1), net.jqwik.api.Tuple.of(8, 0)),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(1, 1), net.jqwik.api.Tuple.of(4, 0))
        ).as((a, b, c, d, e) -> new int[] {a, b, c, d, e});
        Arbitrary<int[]> times = Combinators.combine(
                Arbitraries.of(-2, 0, 0, 0, 1, 2, 3),
                Arbitraries.integers().between(510, 590),
                Arbitraries.of(-1, -1, 0, 1, 2, 3, 4),
                Arbitraries.integers().between(510, 590)
        ).as((a, b, c, d) -> new int[] {a, b, c, d});
        return Combinators.combine(head, times, resources, groups(2), groups(1))
                .as((h, t, r, subjects, exempt) -> new DirectiveStep(h[0], h[1], h[2] == 1, h[3] == 1, h[4] == 1,
                        t[0], t[1], t[2], t[3], r, subjects, exempt));
    }

    // ------------------------------------------------------------------ turning steps into inputs

    /** Per-run state of turning steps into concrete inputs: remembers each session's previous event (duplicates). */
    static final class Materializer {
        private final Map<String, ReferenceModel.Event> previous = new HashMap<>();

        ReferenceModel.Event event(SessionStep s, long tick) {
            String id = SESSIONS[s.session()];
            if (s.when() == When.DUPLICATE_OF_PREVIOUS && previous.containsKey(id)) {
                return previous.get(id);
            }
            long occurredAt = switch (s.when()) {
                case NORMAL, DUPLICATE_OF_PREVIOUS -> tick - 100;
                case OLDER -> tick - 5 * TICK_MS;
                case YEAR_2100 -> YEAR_2100 + tick % 100_000;
                case SECONDS_NOT_MS -> tick / 1000;
                case NEAR_FUTURE -> tick + 60_000;
            };
            ReferenceModel.Event e = new ReferenceModel.Event(id, s.type(), RESOURCES[s.resource()], "gw-1", occurredAt, s.subject());
            previous.put(id, e);
            return e;
        }

        /** Makes {@code e} what later duplicates of its session copy (it was changed before being sent). */
        void sent(ReferenceModel.Event e) {
            previous.put(e.sessionId(), e);
        }

        static ReferenceModel.Directive directive(DirectiveStep d, long tick) {
            long from = switch (d.fromTicks()) {
                case -2 -> tick - 2 * TICK_MS;
                case 0 -> tick;
                default -> tick + (d.fromTicks() - 1) * TICK_MS + d.fromOffset();
            };
            Long until = d.untilTicks() < 0 ? null : tick + d.untilTicks() * TICK_MS + d.untilOffset();
            if (until != null && until <= from) {
                until = null;
            }
            return new ReferenceModel.Directive(DIRECTIVES[d.directive()], d.revision(), d.lift(), d.dryRun() && !d.lift(),
                    d.denyNew(), from, until, d.resources(), d.subjects(), d.exempt());
        }
    }

    /**
     * Turns session steps into events for a system under test whose decision instant is known only within a window:
     * the real pipeline decides an event at some wall-clock instant between its send ({@code sentMs}) and the moment the
     * test sees the pipeline idle ({@code idleMs}); the model can only be told one instant.
     *
     * <p>Only one decision depends on that instant (README "Ordering of a session's events"): an {@code occurredAt} more
     * than the skew tolerance ahead of the decision instant (year 2100) is <em>ordered as</em> that instant, and an ENDED
     * session compares later events' ordering times with its end's. So (1) an event dated inside the window of its
     * session's year-2100 end would be late or live-again depending on processing delay — it is moved just after that
     * window (still in the past, ordered after the end whatever the delay); (2) a year-2100 event of a session whose end
     * is dated in the (near) future, not yet reached when it is sent, could be decided before or after that date — it is
     * left out. Every other comparison is between fixed dates. The expected commands then hold for any decision instant
     * within the windows, which is all the test can know (issue 3 §1 counterexample, {@link DifferentialRegressionTest}).
     */
    static final class DelayTolerantMaterializer {
        private final Materializer inner = new Materializer();
        private final long skewToleranceMs;
        /** Per session: windows [sentMs, latest ordering time] of its ENDED events ordered at their decision instant. */
        private final Map<String, List<long[]>> uncertainEnds = new HashMap<>();
        /** Per session: the latest fixed ordering time of its ENDED events. */
        private final Map<String, Long> fixedEnds = new HashMap<>();

        DelayTolerantMaterializer(long skewToleranceMs) {
            this.skewToleranceMs = skewToleranceMs;
        }

        /**
         * @param sentMs wall clock just before the event is sent (the earliest possible decision instant)
         * @return the event to send, or empty when its outcome would depend on the decision instant (send nothing)
         */
        java.util.Optional<ReferenceModel.Event> event(SessionStep s, long sentMs) {
            String id = SESSIONS[s.session()];
            ReferenceModel.Event before = inner.previous.get(id);
            ReferenceModel.Event e = inner.event(s, sentMs);
            if (e.occurredAt() > sentMs + skewToleranceMs) { // ordered at its decision instant
                Long end = fixedEnds.get(id);
                if (end != null && end >= sentMs) {
                    if (before == null) {
                        inner.previous.remove(id);
                    } else {
                        inner.previous.put(id, before);
                    }
                    return java.util.Optional.empty();
                }
                return java.util.Optional.of(e);
            }
            long occurredAt = e.occurredAt();
            for (long[] window : uncertainEnds.getOrDefault(id, List.of())) { // in increasing order
                if (occurredAt >= window[0] && occurredAt <= window[1]) {
                    occurredAt = window[1] + 1;
                }
            }
            if (occurredAt != e.occurredAt()) {
                e = new ReferenceModel.Event(e.sessionId(), e.type(), e.resource(), e.gatewayId(), occurredAt, e.subject());
                inner.sent(e);
            }
            return java.util.Optional.of(e);
        }

        /** Records that {@code e}, sent at {@code sentMs}, was decided at the latest by {@code idleMs}. */
        void decided(ReferenceModel.Event e, long sentMs, long idleMs) {
            if (e.type() != ReferenceModel.Type.ENDED) {
                return;
            }
            if (e.occurredAt() > sentMs + skewToleranceMs) {
                long latest = e.occurredAt() > idleMs + skewToleranceMs ? idleMs : e.occurredAt();
                uncertainEnds.computeIfAbsent(e.sessionId(), k -> new ArrayList<>()).add(new long[] {sentMs, latest});
            } else {
                fixedEnds.merge(e.sessionId(), e.occurredAt(), Math::max);
            }
        }
    }

    // ------------------------------------------------------------------ model types to the contract's Avro

    static SessionEvent avro(ReferenceModel.Event e) {
        ReferenceModel.Subject s = e.subject();
        Subject subject = Subject.newBuilder().setUserId(s.userId()).setOrgId(s.orgId())
                .setNationality(new ArrayList<>(s.nationality())).setResidenceCountry(s.residenceCountry())
                .setLocationCountry(s.locationCountry()).setRole(new ArrayList<>(s.role()))
                .setAttributes(new HashMap<>(s.attributes())).build();
        return SessionEvent.newBuilder().setSessionId(e.sessionId()).setType(SessionEventType.valueOf(e.type().name()))
                .setResource(e.resource()).setGatewayId(e.gatewayId()).setOccurredAt(Instant.ofEpochMilli(e.occurredAt()))
                .setSubject(subject).build();
    }

    static DirectiveChange avro(ReferenceModel.Directive d, long acceptedAt) {
        Scope scope = d.lift() ? null : Scope.newBuilder().setResources(new ArrayList<>(d.resources()))
                .setSubjects(avroGroups(d.subjects())).setExempt(avroGroups(d.exempt())).build();
        return DirectiveChange.newBuilder()
                .setChangeId(UUID.randomUUID().toString()).setDirectiveId(d.id()).setRevision(d.revision())
                .setAction(d.lift() ? DirectiveAction.LIFT : DirectiveAction.RESTRICT)
                .setMode(d.dryRun() ? DirectiveMode.DRY_RUN : DirectiveMode.ENFORCE)
                .setEnforcement(d.denyNewOnly() ? EnforcementKind.DENY_NEW : EnforcementKind.REVOKE_AND_DENY)
                .setIssuer("us-bis").setLegalBasis("basis").setReason("generated")
                .setEffectiveFrom(Instant.ofEpochMilli(d.from()))
                .setEffectiveUntil(d.until() == null ? null : Instant.ofEpochMilli(d.until()))
                .setScope(scope).setAcceptedAt(Instant.ofEpochMilli(acceptedAt)).build();
    }

    private static List<ConditionGroup> avroGroups(List<List<ReferenceModel.Condition>> groups) {
        List<ConditionGroup> out = new ArrayList<>();
        for (List<ReferenceModel.Condition> g : groups) {
            List<Condition> all = new ArrayList<>();
            for (ReferenceModel.Condition c : g) {
                all.add(Condition.newBuilder().setAttribute(c.attribute()).setOp(c.in() ? ConditionOp.IN : ConditionOp.NOT_IN)
                        .setValues(new ArrayList<>(c.values())).build());
            }
            out.add(ConditionGroup.newBuilder().setAll(all).build());
        }
        return out;
    }
}
