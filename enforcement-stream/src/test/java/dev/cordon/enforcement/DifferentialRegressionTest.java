package dev.cordon.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.enforcement.Timelines.DirectiveStep;
import dev.cordon.enforcement.Timelines.SessionStep;
import dev.cordon.enforcement.Timelines.Step;
import dev.cordon.enforcement.Timelines.When;
import dev.cordon.enforcement.model.ReferenceModel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Counterexamples that once failed a differential test (issue 3 §1), replayed on TopologyTestDriver under the same
 * conditions as where they failed.
 *
 * <p>{@link PipelineDifferentialIntegrationTest} cannot know the instant at which the real pipeline decides an event,
 * only that it lies between the send and the moment the test sees the pipeline idle; it tells the model the latter.
 * Here the topology decides each event as it is sent and the model is told the instant {@code idleDelayMs} later — the
 * widest gap the pipeline test can see — and both must still agree.
 */
class DifferentialRegressionTest {
    private static final long SKEW_TOLERANCE_MS = EnforcementSettings.DEFAULT_CLOCK_SKEW_TOLERANCE_MS;
    private static final long LAST_SEEN_GRANULARITY_MS = 1;
    private static final ReferenceModel.Subject U1 = new ReferenceModel.Subject("u1", "acme", List.of("CN", "DE", "US"),
            "CN", "US", List.of("customer"), Map.of());
    private static final ReferenceModel.Subject U2 = new ReferenceModel.Subject("u2", "globex", List.of("CN", "US"),
            "CN", "US", List.of("contractor", "customer", "employee"), Map.of());

    @Test
    void shouldReRevokeACutSessionAsTheModelSaysWhenAHeartbeatFollowsItsEndDatedInYear2100WhateverTheProcessingDelay() {
        // Given the counterexample of issue 3 (pipeline run, timeline r2, session s0; the other sessions left out): a
        // session cut by a directive covering every resource, re-revoked after events dated OLDER and NORMAL, ENDED dated
        // in year 2100 (so ordered at the instant it is decided), at once a HEARTBEAT dated 100 ms before it was sent
        // (inside the window in which that instant lies), later an ATTRIBUTES_CHANGED
        List<Step> timeline = List.of(
                new DirectiveStep(1, 1, false, false, false, 0, 0, -1, 0, List.of("*"), List.of(), List.of()),
                session(ReferenceModel.Type.ATTRIBUTES_CHANGED, 0, U2, When.DUPLICATE_OF_PREVIOUS, true),
                session(ReferenceModel.Type.STARTED, 2, U2, When.OLDER, false),
                session(ReferenceModel.Type.HEARTBEAT, 0, U1, When.NORMAL, false),
                session(ReferenceModel.Type.HEARTBEAT, 2, U1, When.OLDER, false),
                session(ReferenceModel.Type.ENDED, 1, U1, When.YEAR_2100, false),
                session(ReferenceModel.Type.HEARTBEAT, 1, U1, When.NORMAL, false),
                new Timelines.Quiet(),
                session(ReferenceModel.Type.ATTRIBUTES_CHANGED, 0, U1, When.NORMAL, false));
        for (long idleDelayMs : new long[] {20, 400, 6_000}) {
            // When the topology decides each event as it is sent, and the model at the instant the pipeline test would
            // have seen it idle
            Run run = play(timeline, idleDelayMs);

            // Then both issue the same commands (whether the heartbeat is late or ordered after the end, live again and
            // re-revoked, depends on its date only)
            assertThat(run.model()).as("model, idle %d ms after each send", idleDelayMs).startsWith("REVOKE s0 D-B 1");
            assertThat(run.topology()).as("topology, idle %d ms after each send", idleDelayMs)
                    .containsExactlyInAnyOrderElementsOf(run.model());
        }
    }

    private static SessionStep session(ReferenceModel.Type type, int resource, ReferenceModel.Subject subject, When when,
                                       boolean nullKey) {
        return new SessionStep(0, type, resource, subject, when, nullKey);
    }

    record Run(List<String> topology, List<String> model) {
    }

    /** Plays {@code timeline} as {@link PipelineDifferentialIntegrationTest} does, the topology deciding at each send. */
    static Run play(List<Step> timeline, long idleDelayMs) {
        ReferenceModel model = new ReferenceModel(SKEW_TOLERANCE_MS, LAST_SEEN_GRANULARITY_MS);
        Timelines.DelayTolerantMaterializer m = new Timelines.DelayTolerantMaterializer(SKEW_TOLERANCE_MS);
        EnforcementSettings settings = DifferentialPropertiesTest.settings().withLastSeenGranularityMs(LAST_SEEN_GRANULARITY_MS);
        try (Harness h = new Harness(settings)) {
            h.advance(Timelines.TICK_MS);
            for (Step step : timeline) {
                long sent = h.now().toEpochMilli();
                if (step instanceof SessionStep s) {
                    Optional<ReferenceModel.Event> generated = m.event(s, sent);
                    if (generated.isEmpty()) {
                        continue;
                    }
                    ReferenceModel.Event e = generated.get();
                    h.sessions.pipeInput(new TestRecord<>(s.nullKey() ? null : e.sessionId(), Timelines.avro(e), h.now()));
                    h.advanceInSteps(idleDelayMs, 20);
                    long idle = h.now().toEpochMilli();
                    model.session(e, idle);
                    m.decided(e, sent, idle);
                } else if (step instanceof DirectiveStep d) {
                    ReferenceModel.Directive directive = Timelines.Materializer.directive(d, sent);
                    h.send(Timelines.avro(directive, sent));
                    model.directive(directive, sent);
                    h.advanceInSteps(600, 20); // its sweep runs in punctuations
                }
            }
            return new Run(h.drainCommands(), model.commands().stream().map(Object::toString).toList());
        }
    }
}
