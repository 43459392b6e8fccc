package dev.cordon.enforcement.internal;

import dev.cordon.avro.CommandKind;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.ImpactKind;
import dev.cordon.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * What the topology's outputs say, as meters: commands by kind, dead letters, and the time from a
 * directive's acceptance to the last revocation of its sweep (from AGGREGATE impact reports). Counted
 * where records leave the topology, so a transaction that later aborts is counted too: use
 * {@code rate()} / {@code increase()}. Micrometer meters are thread-safe; stream threads share one instance.
 */
public final class EnforcementMetrics {
    private final Counter revokes;
    private final Counter denies;
    private final Counter deadLetters;
    private final Timer revocationLatency;
    private final LiveSessions liveSessions = new LiveSessions();

    /** @param registry where the meters live ({@code cordon_enforcement_*} in Prometheus) */
    public EnforcementMetrics(MeterRegistry registry) {
        revokes = Counter.builder(MetricNames.ENFORCEMENT_COMMANDS).tag("kind", "REVOKE")
                .description("Revocation commands issued").register(registry);
        denies = Counter.builder(MetricNames.ENFORCEMENT_COMMANDS).tag("kind", "DENY")
                .description("Revocation commands issued").register(registry);
        deadLetters = Counter.builder(MetricNames.ENFORCEMENT_DEAD_LETTERS).tag("stage", "process")
                .description("Unreadable or untrusted records sent to dead-letters").register(registry);
        revocationLatency = Timer.builder(MetricNames.ENFORCEMENT_REVOCATION_LATENCY)
                .description("Directive acceptance to the last revocation of its sweep (AGGREGATE impact report)")
                .serviceLevelObjectives(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
                        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30))
                .publishPercentileHistogram().register(registry);
    }

    /** @return meters registered nowhere that is scraped (TopologyTestDriver tests, tools) */
    public static EnforcementMetrics unscraped() {
        return new EnforcementMetrics(new SimpleMeterRegistry());
    }

    /** @return the live-session counts the session tasks keep (the {@code sessions_active} gauge reads them) */
    public LiveSessions liveSessions() {
        return liveSessions;
    }

    /** Counts one output of a processor. */
    public void record(Emit out) {
        if (out instanceof Emit.Command c) {
            (c.command().getKind() == CommandKind.DENY ? denies : revokes).increment();
        } else if (out instanceof Emit.DeadLetter) {
            deadLetters.increment();
        } else if (out instanceof Emit.Impact i) {
            aggregate(i.impact());
        }
    }

    private void aggregate(DirectiveImpact i) {
        if (i.getKind() == ImpactKind.AGGREGATE && i.getMode() == DirectiveMode.ENFORCE
                && i.getPartitionsReported() == i.getPartitionCount() && i.getLastRevocationAt() != null) {
            revocationLatency.record(Duration.between(i.getAcceptedAt(), i.getLastRevocationAt()));
        }
    }
}
