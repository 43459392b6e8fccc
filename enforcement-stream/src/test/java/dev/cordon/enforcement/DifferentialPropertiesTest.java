package dev.cordon.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.enforcement.Timelines.DirectiveStep;
import dev.cordon.enforcement.Timelines.SessionStep;
import dev.cordon.enforcement.Timelines.Step;
import dev.cordon.enforcement.model.ReferenceModel;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Differential property (issue 3 §1): random timelines of sessions (starting, heart-beating, changing attributes,
 * ending; duplicated, reordered, skewed clocks, null keys) and directives (issued, amended, lifted, scheduled,
 * expiring, dry-run, deny-new; overlapping scopes, wildcards, exemptions, list attributes) give the same multiset of
 * commands from the topology on TopologyTestDriver (wall clock advanced explicitly) as from {@link ReferenceModel}.
 */
class DifferentialPropertiesTest {
    static final long SKEW_TOLERANCE_MS = 5 * 60 * 1000L;
    static final long LAST_SEEN_GRANULARITY_MS = 3000;

    static EnforcementSettings settings() {
        return EnforcementSettings.defaults().withSessionPartitions(1).withClockSkewToleranceMs(SKEW_TOLERANCE_MS)
                .withLastSeenGranularityMs(LAST_SEEN_GRANULARITY_MS);
    }

    @Provide
    Arbitrary<List<Step>> timelines() {
        return Timelines.timelines(5, 35);
    }

    @Property(tries = 60, shrinking = ShrinkingMode.BOUNDED)
    void topologyAndModelIssueTheSameCommands(@ForAll("timelines") List<Step> timeline) {
        Run run = run(timeline);
        Statistics.label("commands").collect(run.model.isEmpty() ? "none" : run.model.size() < 4 ? "1-3" : "4+");
        Statistics.label("kinds").collect(run.model.stream().map(c -> c.split(" ")[0] + (c.endsWith(" 1") ? "" : "-again"))
                .distinct().sorted().toList());
        assertThat(run.topology).containsExactlyInAnyOrderElementsOf(run.model);
    }

    record Run(List<String> topology, List<String> model) {
    }

    /** Plays a timeline through both (see {@link Timelines} for the clock). */
    static Run run(List<Step> timeline) {
        ReferenceModel model = new ReferenceModel(SKEW_TOLERANCE_MS, LAST_SEEN_GRANULARITY_MS);
        Timelines.Materializer m = new Timelines.Materializer();
        try (Harness h = new Harness(settings())) {
            h.advance(Timelines.TICK_MS);
            for (Step step : timeline) {
                long tick = h.now().toEpochMilli();
                if (step instanceof SessionStep s) {
                    ReferenceModel.Event e = m.event(s, tick);
                    h.sessions.pipeInput(new TestRecord<>(s.nullKey() ? null : e.sessionId(), Timelines.avro(e), h.now()));
                    model.session(e, tick);
                } else if (step instanceof DirectiveStep d) {
                    ReferenceModel.Directive directive = Timelines.Materializer.directive(d, tick);
                    h.send(Timelines.avro(directive, tick));
                    model.directive(directive, tick);
                }
                h.advance(20);
                h.advance(20);
                h.advance(560);
                model.scheduleCheck(tick + 600);
                h.advance(20);
                h.advance(20);
                h.advance(20);
                h.advance(Timelines.TICK_MS - 660);
            }
            return new Run(h.drainCommands(), model.commands().stream().map(Object::toString).toList());
        }
    }
}
