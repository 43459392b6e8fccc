package dev.cordon.enforcement;

import static dev.cordon.enforcement.Harness.cond;
import static dev.cordon.enforcement.Harness.foreignNationals;
import static dev.cordon.enforcement.Harness.group;
import static dev.cordon.enforcement.Harness.scope;
import static dev.cordon.enforcement.Harness.subject;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.ImpactKind;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.TestOutputTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One test per rule of DESIGN.md "Enforcement semantics", on TopologyTestDriver with the wall clock driven
 * explicitly. The pNN tests replay ../shared/cases/pNN-*.jsonl (atMs → wall clock steps).
 */
class EnforcementTopologyTest {
    private static final String FABLE = "fable-5";
    private static final String MYTHOS = "mythos-5";
    private Harness h = new Harness();

    @AfterEach
    void close() {
        h.close();
    }

    /** Runs wall-clock punctuations for {@code ms} in 10 ms steps. */
    private void run(long ms) {
        h.advanceInSteps(ms, 10);
    }

    private DirectiveChange seedOrder() {
        return h.restrict("BIS-1", 1, foreignNationals()).build();
    }

    // ------------------------------------------------------------------ directives reaching live sessions

    @Test
    void shouldRevokeActiveSessionsWhenDirectiveArrives() {
        // Given four active sessions (p01)
        h.start("s1", FABLE, "DE");
        h.start("s2", FABLE, "US");
        h.start("s3", MYTHOS, "FR");
        h.start("s4", "haiku-4", "CN");
        run(500);

        // When the seed order arrives
        h.send(seedOrder());
        run(1000);

        // Then the two covered sessions are revoked, naming the directive and the matching group
        List<RevocationCommand> commands = h.drainCommandRecords();
        assertThat(commands).extracting(c -> c.getKind() + " " + c.getSessionId() + " " + c.getAttempt())
                .containsExactlyInAnyOrder("REVOKE s1 1", "REVOKE s3 1");
        RevocationCommand s1 = commands.stream().filter(c -> c.getSessionId().equals("s1")).findFirst().orElseThrow();
        assertThat(s1.getDirectiveId()).isEqualTo("BIS-1");
        assertThat(s1.getDirectiveRevision()).isEqualTo(1);
        assertThat(s1.getMatched()).isEqualTo("nationality NOT_IN [US]");
        assertThat(s1.getLegalBasis()).isEqualTo("15 CFR 744.23 (interim order)");
        assertThat(s1.getUserId()).isEqualTo("u-s1");
        assertThat(s1.getGatewayId()).isEqualTo("gw-1");
        assertThat(s1.getIssuedAt()).isAfter(Harness.T0);
        assertThat(s1.getCommandId()).isNotBlank();
    }

    @Test
    void shouldDenyCoveredSessionThatStartsWhileDirectiveIsInForce() {
        // Given the seed order in force (p01)
        h.send(seedOrder());
        run(1000);

        // When a foreign national and a US national start sessions on mythos-5
        h.start("s5", MYTHOS, "IN");
        h.start("s6", MYTHOS, "US");

        // Then only the foreign national is denied, at once (no punctuation needed)
        assertThat(h.drainCommands()).containsExactly("DENY s5 BIS-1 1");
        assertThat(h.drainAuditTypes()).contains(AuditEventType.SESSION_DENIED, AuditEventType.SESSION_STARTED);
    }

    @Test
    void shouldNotCutSessionsOutsideTheScope() {
        // Given sessions on another resource and of US nationals
        h.start("s1", "haiku-4", "DE");
        h.start("s2", FABLE, "US");

        // When the seed order arrives and they keep sending heartbeats
        h.send(seedOrder());
        run(200);
        h.send(h.event("s1", SessionEventType.HEARTBEAT, "haiku-4", subject("u-s1", List.of("DE"), List.of("customer"))));

        // Then nothing is cut
        assertThat(h.drainCommands()).isEmpty();
    }

    @Test
    void shouldWidenScopeWhenAmendedRevisionArrives() {
        // Given p02: sessions, then revision 1 (foreign nationals)
        h.start("s1", FABLE, "DE");
        h.start("s2", FABLE, "US");
        h.send(h.event("s3", SessionEventType.STARTED, MYTHOS, subject("e3", List.of("US"), List.of("employee"))));
        h.start("s4", "haiku-4", "US");
        run(500);
        h.send(seedOrder());
        run(1000);
        assertThat(h.drainCommands()).containsExactly("REVOKE s1 BIS-1 1");

        // When revision 2 extends it to everyone
        h.send(h.restrict("BIS-1", 2, scope(List.of(FABLE, MYTHOS), List.of(), List.of())).build());
        run(1000);
        h.send(h.event("s5", SessionEventType.STARTED, FABLE, subject("e5", List.of("US"), List.of("employee"))));

        // Then the domestic user and the employee are revoked, and a new employee session denied
        List<RevocationCommand> commands = h.drainCommandRecords();
        assertThat(commands).extracting(c -> c.getKind() + " " + c.getSessionId() + " " + c.getDirectiveRevision())
                .containsExactlyInAnyOrder("REVOKE s2 2", "REVOKE s3 2", "DENY s5 2");
        assertThat(commands).allSatisfy(c -> assertThat(c.getMatched()).isEqualTo("*"));
    }

    @Test
    void shouldLetNewSessionsInAfterLiftWhileCutSessionsStayCut() {
        // Given p03: s1 revoked by the seed order
        h.start("s1", FABLE, "DE");
        run(500);
        h.send(seedOrder());
        run(1000);
        assertThat(h.drainCommands()).containsExactly("REVOKE s1 BIS-1 1");

        // When the directive is lifted and a new covered session starts
        h.send(h.lift("BIS-1", 2));
        run(1000);
        h.start("s2", FABLE, "DE");

        // Then s2 is let in
        assertThat(h.drainCommands()).isEmpty();

        // And s1, still sending heartbeats, stays cut: re-revoked naming the directive that first cut it
        h.send(h.event("s1", SessionEventType.HEARTBEAT, FABLE, subject("u-s1", List.of("DE"), List.of("customer"))));
        List<RevocationCommand> again = h.drainCommandRecords();
        assertThat(again).extracting(c -> c.getKind() + " " + c.getSessionId() + " " + c.getAttempt() + " " + c.getDirectiveRevision())
                .containsExactly("REVOKE s1 2 1");
    }

    @Test
    void shouldKeepCutSessionCutAfterTheDirectiveIsNarrowed() {
        // Given s1 (DE) revoked by revision 1
        h.start("s1", FABLE, "DE");
        h.send(seedOrder());
        run(100);
        assertThat(h.drainCommands()).containsExactly("REVOKE s1 BIS-1 1");

        // When revision 2 narrows the scope to CN nationals only, and s1 sends a heartbeat
        h.send(h.restrict("BIS-1", 2, scope(List.of(FABLE), List.of(group(cond("nationality", ConditionOp.IN, "CN"))), List.of())).build());
        run(100);
        h.send(h.event("s1", SessionEventType.HEARTBEAT, FABLE, subject("u-s1", List.of("DE"), List.of("customer"))));

        // Then s1 is revoked again, still naming revision 1 and its match
        List<RevocationCommand> again = h.drainCommandRecords();
        assertThat(again).hasSize(1);
        assertThat(again.get(0).getAttempt()).isEqualTo(2);
        assertThat(again.get(0).getDirectiveRevision()).isEqualTo(1);
        assertThat(again.get(0).getMatched()).isEqualTo("nationality NOT_IN [US]");
    }

    @Test
    void shouldActivateScheduledDirectiveWithNoFurtherInput() {
        // Given p04: s1 active, a directive scheduled 3 s ahead, s2 starting before it
        h.start("s1", FABLE, "DE");
        run(200);
        h.send(h.restrict("BIS-1", 1, foreignNationals()).setEffectiveFrom(Harness.T0.plusMillis(3000)).build());
        run(800);
        h.start("s2", MYTHOS, "JP");

        // When time passes up to just before the effective time
        run(1990);

        // Then nothing is cut yet
        assertThat(h.drainCommands()).isEmpty();

        // When the effective time passes, with no further input
        run(300);

        // Then both are revoked and the activation is audited
        assertThat(h.drainCommands()).containsExactlyInAnyOrder("REVOKE s1 BIS-1 1", "REVOKE s2 BIS-1 1");
        assertThat(h.drainAuditTypes()).contains(AuditEventType.DIRECTIVE_ACTIVATED, AuditEventType.SWEEP_ENDED);
    }

    @Test
    void shouldAllowNewSessionsAfterExpiry() {
        // Given p05: a directive effective until +2000 ms
        h.send(h.restrict("BIS-1", 1, foreignNationals()).setEffectiveUntil(Harness.T0.plusMillis(2000)).build());
        run(500);
        h.start("s1", FABLE, "DE");
        assertThat(h.drainCommands()).containsExactly("DENY s1 BIS-1 1");

        // When it expires
        run(3500);

        // Then the expiry is audited and a new covered session is allowed
        assertThat(h.drainAuditTypes()).contains(AuditEventType.DIRECTIVE_EXPIRED);
        h.start("s2", FABLE, "DE");
        assertThat(h.drainCommands()).isEmpty();
    }

    @Test
    void shouldSpareExemptGroups() {
        // Given p06: everyone restricted except employees
        h.start("s1", FABLE, "US");
        h.send(h.event("s2", SessionEventType.STARTED, FABLE, subject("e2", List.of("US"), List.of("employee"))));
        run(500);
        h.send(h.restrict("BIS-1", 1, scope(List.of(FABLE, MYTHOS), List.of(),
                List.of(group(cond("role", ConditionOp.IN, "employee"))))).build());
        run(1000);

        // When an employee (with another role too) and a customer start
        h.send(h.event("s3", SessionEventType.STARTED, MYTHOS, subject("e3", List.of("DE"), List.of("employee", "researcher"))));
        h.start("s4", MYTHOS, "DE");

        // Then only the non-employees are cut
        assertThat(h.drainCommands()).containsExactlyInAnyOrder("REVOKE s1 BIS-1 1", "DENY s4 BIS-1 1");
    }

    @Test
    void shouldCutNothingOnDryRunButReportItsImpact() {
        // Given p07: an active covered session
        h.start("s1", FABLE, "DE");
        h.start("s9", "haiku-4", "DE");
        run(500);

        // When a DRY_RUN of the seed order arrives
        h.send(h.restrict("BIS-1", 1, foreignNationals()).setMode(DirectiveMode.DRY_RUN).setRequestId("req-1").build());
        run(1000);
        h.start("s2", FABLE, "DE");

        // Then nothing is cut
        assertThat(h.drainCommands()).isEmpty();

        // And the impact report (partial and aggregate) counts the covered session
        List<DirectiveImpact> impacts = h.impacts.readValuesToList();
        assertThat(impacts).extracting(DirectiveImpact::getKind).containsExactly(ImpactKind.PARTIAL, ImpactKind.AGGREGATE);
        DirectiveImpact aggregate = impacts.get(1);
        assertThat(aggregate.getMode()).isEqualTo(DirectiveMode.DRY_RUN);
        assertThat(aggregate.getRequestId()).isEqualTo("req-1");
        assertThat(aggregate.getCovered()).isEqualTo(1);
        assertThat(aggregate.getRevoked()).isZero();
        assertThat(aggregate.getCountsByResource()).containsEntry(FABLE, 1L);
        assertThat(aggregate.getCountsByNationality()).containsEntry("DE", 1L);
        assertThat(aggregate.getCountsByRole()).containsEntry("customer", 1L);
        assertThat(aggregate.getSampleSessionIds()).containsExactly("s1");
        assertThat(aggregate.getPartition()).isEqualTo(-1);
        assertThat(aggregate.getPartitionsReported()).isEqualTo(1);

        // And the same revision can then be enforced
        h.send(seedOrder());
        run(100);
        assertThat(h.drainCommands()).containsExactlyInAnyOrder("REVOKE s1 BIS-1 1", "REVOKE s2 BIS-1 1");
    }

    @Test
    void shouldCountOnlyActiveSessionsAsCoveredInAPreviewOfAnAmendment() {
        // Given the seed order in force: s1 (DE) revoked, s2 (DE) denied; s3 (US) and s4 (US) live and not covered
        h.start("s1", FABLE, "DE");
        h.start("s3", FABLE, "US");
        h.start("s4", FABLE, "US");
        run(500);
        h.send(seedOrder());
        run(1000);
        h.start("s2", FABLE, "DE");
        assertThat(h.drainCommands()).containsExactlyInAnyOrder("REVOKE s1 BIS-1 1", "DENY s2 BIS-1 1");
        h.impacts.readValuesToList();

        // When a DRY_RUN of an amendment to everyone arrives
        h.send(h.restrict("BIS-1", 2, scope(List.of(FABLE), List.of(), List.of())).setMode(DirectiveMode.DRY_RUN)
                .setRequestId("req-2").build());
        run(1000);

        // Then it reports only the two live sessions it would newly cover, not the two already cut
        DirectiveImpact aggregate = h.impacts.readValuesToList().stream()
                .filter(i -> i.getKind() == ImpactKind.AGGREGATE).findFirst().orElseThrow();
        assertThat(aggregate.getCovered()).isEqualTo(2);
        assertThat(aggregate.getCountsByNationality()).containsExactly(java.util.Map.entry("US", 2L));
        assertThat(aggregate.getSampleSessionIds()).containsExactlyInAnyOrder("s3", "s4");
        assertThat(h.drainCommands()).isEmpty();
    }

    @Test
    void shouldKeepTheLiveSessionCountInStepAsSessionsStartAreCutAndEnd() {
        // Given four sessions started: two foreign (DE), two domestic (US)
        h.start("s1", FABLE, "DE");
        h.start("s2", FABLE, "DE");
        h.start("s3", FABLE, "US");
        h.start("s4", FABLE, "US");
        run(200);
        assertThat(h.metrics.liveSessions().total()).isEqualTo(4);

        // When the seed order revokes the two foreign sessions, one domestic session ends, and a covered one is denied
        h.send(seedOrder());
        run(1000);
        h.send(h.event("s3", SessionEventType.ENDED, FABLE, subject("u-s3", List.of("US"), List.of("customer"))));
        h.start("s5", FABLE, "FR");
        run(200);

        // Then only s4 is live
        assertThat(h.drainCommands()).containsExactlyInAnyOrder("REVOKE s1 BIS-1 1", "REVOKE s2 BIS-1 1", "DENY s5 BIS-1 1");
        assertThat(h.metrics.liveSessions().total()).isEqualTo(1);
    }

    @Test
    void shouldReportTheSamePreviewWhenLargeTasksCountOnWorkerThreads() {
        // Given the same 300 live sessions (a mix of nationalities and roles, some already cut) in two pipelines: one
        // counting previews inline, one handing every task's count to the worker threads
        Harness parallel = new Harness(EnforcementSettings.defaults().withSessionPartitions(1).withParallelCountMinSessions(1));
        try {
            for (Harness each : List.of(h, parallel)) {
                for (int i = 0; i < 300; i++) {
                    String nationality = List.of("DE", "US", "FR", "IN").get(i % 4);
                    each.send(each.event("s" + i, SessionEventType.STARTED, i % 5 == 0 ? "haiku-4" : FABLE,
                            subject("u" + i, List.of(nationality), List.of(i % 3 == 0 ? "employee" : "customer"))));
                }
                each.send(each.restrict("BIS-0", 1, scope(List.of(FABLE), List.of(group(cond("role", ConditionOp.IN, "employee"))),
                        List.of())).build());
                each.advanceInSteps(1000, 20);
                each.impacts.readValuesToList();
            }

            // When the same preview reaches both
            for (Harness each : List.of(h, parallel)) {
                each.send(each.restrict("BIS-1", 1, foreignNationals()).setMode(DirectiveMode.DRY_RUN).setRequestId("req-p").build());
            }
            h.advanceInSteps(1000, 20);
            DirectiveImpact inline = aggregate(h, "BIS-1");
            DirectiveImpact counted = org.awaitility.Awaitility.await("the workers' count reported").atMost(java.time.Duration.ofSeconds(20))
                    .pollInterval(java.time.Duration.ofMillis(10)).until(() -> {
                        parallel.advance(20);
                        return aggregateOrNull(parallel, "BIS-1");
                    }, java.util.Objects::nonNull);

            // Then both report the same live sessions, by resource, nationality and role
            assertThat(inline.getCovered()).isEqualTo(counted.getCovered()).isPositive();
            assertThat(counted.getCountsByResource()).isEqualTo(inline.getCountsByResource());
            assertThat(counted.getCountsByNationality()).isEqualTo(inline.getCountsByNationality()).doesNotContainKey("US");
            assertThat(counted.getCountsByRole()).isEqualTo(inline.getCountsByRole()).doesNotContainKey("employee");
            assertThat(counted.getSampleSessionIds()).hasSameSizeAs(inline.getSampleSessionIds());
            assertThat(parallel.drainCommands()).noneMatch(c -> c.contains("BIS-1"));
            // And the audit says who counted: the stream thread inline, the workers for the large-task pipeline
            assertThat(h.drainAudit()).filteredOn(a -> a.getType() == AuditEventType.SWEEP_ENDED && "BIS-1".equals(a.getDirectiveId()))
                    .extracting(a -> a.getDetails().get("countedBy")).containsExactly("stream-thread");
            assertThat(parallel.drainAudit()).filteredOn(a -> a.getType() == AuditEventType.SWEEP_ENDED && "BIS-1".equals(a.getDirectiveId()))
                    .extracting(a -> a.getDetails().get("countedBy")).containsExactly("workers");
        } finally {
            parallel.close();
        }
    }

    private static DirectiveImpact aggregate(Harness harness, String directiveId) {
        DirectiveImpact found = aggregateOrNull(harness, directiveId);
        assertThat(found).as("aggregate impact report of " + directiveId).isNotNull();
        return found;
    }

    private static DirectiveImpact aggregateOrNull(Harness harness, String directiveId) {
        return harness.impacts.readValuesToList().stream()
                .filter(i -> i.getKind() == ImpactKind.AGGREGATE && i.getDirectiveId().equals(directiveId))
                .findFirst().orElse(null);
    }

    @Test
    void shouldRevokeAgainWhenRevokedSessionKeepsSendingHeartbeats() {
        // Given p08: s1 revoked
        h.start("s1", FABLE, "DE");
        run(500);
        h.send(seedOrder());
        run(1000);

        // When it sends a heartbeat
        h.send(h.event("s1", SessionEventType.HEARTBEAT, FABLE, subject("u-s1", List.of("DE"), List.of("customer"))));

        // Then it is revoked again, attempt 2, with a distinct command id
        List<RevocationCommand> commands = h.drainCommandRecords();
        assertThat(commands).extracting(c -> c.getKind() + " " + c.getAttempt()).containsExactly("REVOKE 1", "REVOKE 2");
        assertThat(commands.get(0).getCommandId()).isNotEqualTo(commands.get(1).getCommandId());
        assertThat(h.drainAuditTypes()).contains(AuditEventType.SESSION_REREVOKED);
    }

    @Test
    void shouldNotRevokeSessionThatEndedBefore() {
        // Given p09: s1 started and ended
        h.start("s1", FABLE, "DE");
        run(200);
        h.send(h.event("s1", SessionEventType.ENDED, FABLE, subject("u-s1", List.of("DE"), List.of("customer"))));
        run(300);

        // When the seed order arrives
        h.send(seedOrder());
        run(1000);

        // Then nothing is revoked
        assertThat(h.drainCommands()).isEmpty();
    }

    @Test
    void shouldOnlyDenyNewSessionsUnderDenyNew() {
        // Given p10: an active covered session, then a DENY_NEW directive
        h.start("s1", FABLE, "DE");
        run(500);
        h.send(h.restrict("BIS-1", 1, foreignNationals()).setEnforcement(EnforcementKind.DENY_NEW).build());
        run(1000);

        // When s1 sends a heartbeat and s2 starts
        h.send(h.event("s1", SessionEventType.HEARTBEAT, FABLE, subject("u-s1", List.of("DE"), List.of("customer"))));
        h.start("s2", FABLE, "DE");

        // Then only s2 is denied; the impact report counts s1 as covered, not revoked
        assertThat(h.drainCommands()).containsExactly("DENY s2 BIS-1 1");
        DirectiveImpact partial = h.impacts.readValuesToList().get(0);
        assertThat(partial.getCovered()).isEqualTo(1);
        assertThat(partial.getRevoked()).isZero();
    }

    @Test
    void shouldRevokeSessionWhoseAttributesChangeIntoScope() {
        // Given p11: an employee's session, and a directive on contractors
        h.send(h.event("s1", SessionEventType.STARTED, FABLE, subject("u1", List.of("US"), List.of("employee"))));
        run(500);
        h.send(h.restrict("BIS-1", 1, scope(List.of(FABLE, MYTHOS), List.of(group(cond("role", ConditionOp.IN, "contractor"))), List.of())).build());
        run(1000);
        assertThat(h.drainCommands()).isEmpty();

        // When the role changes to contractor
        h.send(h.event("s1", SessionEventType.ATTRIBUTES_CHANGED, FABLE, subject("u1", List.of("US"), List.of("contractor"))));

        // Then it is revoked
        List<RevocationCommand> commands = h.drainCommandRecords();
        assertThat(commands).extracting(c -> c.getKind() + " " + c.getSessionId() + " " + c.getAttempt()).containsExactly("REVOKE s1 1");
        assertThat(commands.get(0).getMatched()).isEqualTo("role IN [contractor]");
    }

    // ------------------------------------------------------------------ revision order

    @Test
    void shouldIgnoreStaleRevisionDeliveredLater() {
        // Given p12: revision 2 (foreign nationals) in force, a US session
        h.start("s1", FABLE, "US");
        h.send(seedOrderRevision(2));
        run(500);

        // When revision 1 (everyone) is delivered after it
        h.send(h.restrict("BIS-1", 1, scope(List.of(FABLE, MYTHOS), List.of(), List.of())).build());
        run(700);
        h.start("s2", FABLE, "US");

        // Then it changes nothing and is audited as ignored
        assertThat(h.drainCommands()).isEmpty();
        List<AuditEvent> ignored = h.drainAudit().stream().filter(a -> a.getType() == AuditEventType.DIRECTIVE_IGNORED).toList();
        assertThat(ignored).hasSize(1);
        assertThat(ignored.get(0).getDirectiveRevision()).isEqualTo(1);
        assertThat(ignored.get(0).getDetails()).containsEntry("reason", "stale revision").containsEntry("currentRevision", "2");
    }

    @Test
    void shouldIgnoreDuplicateRevision() {
        // Given revision 1 in force
        h.send(seedOrder());
        run(100);

        // When revision 1 arrives again with another scope
        h.send(h.restrict("BIS-1", 1, scope(List.of(FABLE), List.of(), List.of())).build());
        run(100);
        h.start("s1", FABLE, "US");

        // Then the first one stays current
        assertThat(h.drainCommands()).isEmpty();
        assertThat(h.drainAudit()).filteredOn(a -> a.getType() == AuditEventType.DIRECTIVE_IGNORED)
                .singleElement().satisfies(a -> assertThat(a.getDetails()).containsEntry("reason", "duplicate revision"));
    }

    private DirectiveChange seedOrderRevision(int revision) {
        return h.restrict("BIS-1", revision, foreignNationals()).build();
    }

    // ------------------------------------------------------------------ session state machine

    @Test
    void shouldRevokeUnknownLiveSessionWhenCovered() {
        // Given the seed order in force and a session this task never saw start
        h.send(seedOrder());
        run(100);

        // When its heartbeat arrives
        h.send(h.event("s7", SessionEventType.HEARTBEAT, FABLE, subject("u7", List.of("DE"), List.of("customer"))));

        // Then it fails closed: REVOKE attempt 1
        assertThat(h.drainCommands()).containsExactly("REVOKE s7 BIS-1 1");
    }

    @Test
    void shouldAdmitUnknownLiveSessionWhenNotCovered() {
        h.send(seedOrder());
        run(100);

        h.send(h.event("s7", SessionEventType.HEARTBEAT, FABLE, subject("u7", List.of("US"), List.of("customer"))));

        assertThat(h.drainCommands()).isEmpty();
        assertThat(h.drainAuditTypes()).contains(AuditEventType.SESSION_STARTED);
    }

    @Test
    void shouldTreatEventAfterEndAsLiveSession() {
        // Given an ended session and the seed order in force
        Subject de = subject("u1", List.of("DE"), List.of("customer"));
        h.send(Harness.event("s1", SessionEventType.STARTED, FABLE, de, Harness.T0));
        h.send(Harness.event("s1", SessionEventType.ENDED, FABLE, de, Harness.T0.plusMillis(100)));
        h.send(seedOrder());
        run(100);
        assertThat(h.drainCommands()).isEmpty();

        // When a heartbeat with a later occurredAt arrives
        h.send(Harness.event("s1", SessionEventType.HEARTBEAT, FABLE, de, Harness.T0.plusMillis(500)));

        // Then it is treated as an unknown live session: revoked
        assertThat(h.drainCommands()).containsExactly("REVOKE s1 BIS-1 1");
    }

    @Test
    void shouldIgnoreEventOlderThanTheEnd() {
        // Given an ended session and the seed order in force
        Subject de = subject("u1", List.of("DE"), List.of("customer"));
        h.send(Harness.event("s1", SessionEventType.STARTED, FABLE, de, Harness.T0));
        h.send(Harness.event("s1", SessionEventType.ENDED, FABLE, de, Harness.T0.plusMillis(300)));
        h.send(seedOrder());
        run(100);

        // When a late heartbeat with an earlier occurredAt arrives
        h.send(Harness.event("s1", SessionEventType.HEARTBEAT, FABLE, de, Harness.T0.plusMillis(200)));

        // Then it is ignored
        assertThat(h.drainCommands()).isEmpty();
    }

    @Test
    void shouldIgnoreExactDuplicateEvent() {
        // Given a denied session
        h.send(seedOrder());
        run(100);
        Subject de = subject("u1", List.of("DE"), List.of("customer"));
        h.send(Harness.event("s1", SessionEventType.STARTED, FABLE, de, Harness.T0.plusMillis(100)));
        assertThat(h.drainCommands()).containsExactly("DENY s1 BIS-1 1");

        // When the very same event is delivered again
        h.send(Harness.event("s1", SessionEventType.STARTED, FABLE, de, Harness.T0.plusMillis(100)));

        // Then nothing more happens (a live event on a cut session would re-revoke)
        assertThat(h.drainCommands()).isEmpty();
    }

    @Test
    void shouldNameLowestEffectiveFromThenDirectiveIdWhenSeveralCover() {
        // Given two directives in force from the same instant, delivered B first
        h.send(h.restrict("B-2", 1, foreignNationals()).build());
        h.send(h.restrict("A-1", 1, scope(List.of(FABLE), List.of(
                group(cond("role", ConditionOp.IN, "staff")),
                group(cond("nationality", ConditionOp.IN, "DE")),
                group(cond("role", ConditionOp.IN, "customer"))), List.of())).build());
        run(100);

        // When a covered session starts
        h.start("s1", FABLE, "DE");

        // Then the command names A-1 (same effectiveFrom, lower id) and its first matching group
        RevocationCommand deny = h.drainCommandRecords().get(0);
        assertThat(deny.getDirectiveId()).isEqualTo("A-1");
        assertThat(deny.getMatched()).isEqualTo("nationality IN [DE]");

        // When a directive effective earlier also covers
        h.send(h.restrict("Z-9", 1, foreignNationals()).setEffectiveFrom(Harness.T0.minusSeconds(60)).build());
        run(100);
        h.start("s2", FABLE, "DE");

        // Then it is named, whatever its id
        assertThat(h.drainCommands()).containsExactly("DENY s2 Z-9 1");
    }

    // ------------------------------------------------------------------ unreadable input

    @Test
    void shouldDeadLetterUnreadableRecordsAndKeepProcessing() {
        // Given the seed order in force
        h.send(seedOrder());
        run(100);
        h.drainAudit();

        // When unreadable session events and directive changes arrive (bad magic byte, unknown schema id, truncated)
        h.rawSessions.pipeInput("s1".getBytes(), new byte[] {7, 1, 2, 3});
        h.rawSessions.pipeInput("s2".getBytes(), new byte[] {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4});
        h.rawDirectives.pipeInput("BIS-9".getBytes(), new byte[] {0});
        // and a readable event with an UNKNOWN type
        h.send(h.event("s3", SessionEventType.UNKNOWN, FABLE, subject("u3", List.of("DE"), List.of())));
        // and a directive with an UNKNOWN mode
        h.send(h.restrict("BIS-2", 1, foreignNationals()).setMode(DirectiveMode.UNKNOWN).build());

        // Then each goes to dead-letters with provenance headers, and is audited
        var dead = h.deadLetters.readRecordsToList();
        assertThat(dead).hasSize(5);
        assertThat(header(dead.get(0), "cordon.dlq.topic")).isEqualTo(h.topics.sessionEvents().name());
        assertThat(header(dead.get(0), "cordon.dlq.partition")).isEqualTo("0");
        assertThat(header(dead.get(0), "cordon.dlq.offset")).isEqualTo("0");
        assertThat(header(dead.get(0), "cordon.dlq.exception")).isNotBlank();
        assertThat(header(dead.get(2), "cordon.dlq.topic")).isEqualTo(h.topics.directiveChanges().name());
        assertThat(dead.get(0).value()).containsExactly(7, 1, 2, 3);
        assertThat(new String(dead.get(0).key())).isEqualTo("s1");
        List<AuditEvent> audits = h.drainAudit();
        assertThat(audits).filteredOn(a -> a.getType() == AuditEventType.INPUT_UNREADABLE).hasSize(5)
                .anySatisfy(a -> assertThat(a.getSourcePartition()).isEqualTo(-1))
                .anySatisfy(a -> assertThat(a.getSourcePartition()).isZero());

        // And later records are still processed
        h.start("s4", FABLE, "DE");
        assertThat(h.drainCommands()).containsExactly("DENY s4 BIS-1 1");
    }

    private static String header(org.apache.kafka.streams.test.TestRecord<byte[], byte[]> r, String key) {
        var header = r.headers().lastHeader(key);
        return header == null ? null : new String(header.value());
    }

    // ------------------------------------------------------------------ sweeps and impact

    @Test
    void shouldSweepInBoundedBatchesAcrossPunctuations() {
        // Given a batch size of 2 and five covered sessions
        h.close();
        h = new Harness(EnforcementSettings.defaults().withSessionPartitions(1).withSweepBatchSize(2));
        for (int i = 1; i <= 5; i++) {
            h.start("s" + i, FABLE, "DE");
        }

        // When the directive arrives
        h.send(seedOrder());

        // Then nothing is forwarded from the arriving record itself
        assertThat(h.drainCommands()).isEmpty();

        // And each sweep punctuation revokes at most two
        h.advance(20);
        assertThat(h.drainCommands()).containsExactly("REVOKE s1 BIS-1 1", "REVOKE s2 BIS-1 1");
        h.advance(20);
        assertThat(h.drainCommands()).containsExactly("REVOKE s3 BIS-1 1", "REVOKE s4 BIS-1 1");
        assertThat(h.impacts.isEmpty()).isTrue();
        h.advance(20);
        assertThat(h.drainCommands()).containsExactly("REVOKE s5 BIS-1 1");

        // And the report follows the end of the sweep
        DirectiveImpact partial = h.impacts.readValuesToList().get(0);
        assertThat(partial.getKind()).isEqualTo(ImpactKind.PARTIAL);
        assertThat(partial.getCovered()).isEqualTo(5);
        assertThat(partial.getRevoked()).isEqualTo(5);
        assertThat(partial.getFirstRevocationAt()).isBefore(partial.getLastRevocationAt());
    }

    @Test
    void shouldStopOlderSweepWhenNewerRevisionArrives() {
        // Given a batch size of 1 and three sessions, revision 1 half-way through its sweep
        h.close();
        h = new Harness(EnforcementSettings.defaults().withSessionPartitions(1).withSweepBatchSize(1));
        h.start("s1", FABLE, "DE");
        h.start("s2", FABLE, "US");
        h.start("s3", FABLE, "FR");
        h.send(seedOrder());
        h.advance(20);
        assertThat(h.drainCommands()).containsExactly("REVOKE s1 BIS-1 1");

        // When revision 2 (everyone) arrives
        h.send(h.restrict("BIS-1", 2, scope(List.of(FABLE), List.of(), List.of())).build());
        run(100);

        // Then revision 1's sweep stops with its report, and revision 2's sweep cuts the rest
        assertThat(h.drainCommands()).containsExactly("REVOKE s2 BIS-1 1", "REVOKE s3 BIS-1 1");
        List<DirectiveImpact> partials = h.impacts.readValuesToList().stream().filter(i -> i.getKind() == ImpactKind.PARTIAL).toList();
        assertThat(partials).extracting(i -> i.getRevision() + ":" + i.getRevoked()).containsExactly("1:1", "2:2");
        assertThat(h.drainAudit()).filteredOn(a -> a.getType() == AuditEventType.SWEEP_ENDED)
                .extracting(a -> a.getDetails().get("outcome")).containsExactly("SUPERSEDED", "COMPLETED");
    }

    @Test
    void shouldCombinePartialsOfAllPartitionsIntoOneAggregate() {
        // Given partials of a 3-partition sweep
        DirectiveImpact p0 = partial(0, 3, 5, 4, "s-a", Harness.T0.plusMillis(10));
        DirectiveImpact p2 = partial(2, 3, 2, 2, "s-c", Harness.T0.plusMillis(30));
        DirectiveImpact p1 = partial(1, 3, 1, 0, "s-b", Harness.T0.plusMillis(20));

        // When two partitions reported (one twice)
        h.impactsIn.pipeInput("BIS-1", p0);
        h.impactsIn.pipeInput("BIS-1", p2);
        h.impactsIn.pipeInput("BIS-1", p2);

        // Then no aggregate yet
        assertThat(h.impacts.readValuesToList()).noneMatch(i -> i.getKind() == ImpactKind.AGGREGATE);

        // When the last one arrives
        h.advance(50);
        h.impactsIn.pipeInput("BIS-1", p1);

        // Then exactly one aggregate, combining all three
        List<DirectiveImpact> aggregates = h.impacts.readValuesToList().stream().filter(i -> i.getKind() == ImpactKind.AGGREGATE).toList();
        assertThat(aggregates).hasSize(1);
        DirectiveImpact a = aggregates.get(0);
        assertThat(a.getPartition()).isEqualTo(-1);
        assertThat(a.getPartitionCount()).isEqualTo(3);
        assertThat(a.getPartitionsReported()).isEqualTo(3);
        assertThat(a.getCovered()).isEqualTo(8);
        assertThat(a.getRevoked()).isEqualTo(6);
        assertThat(a.getCountsByResource()).containsEntry(FABLE, 8L);
        assertThat(a.getSampleSessionIds()).containsExactly("s-a", "s-b", "s-c");
        assertThat(a.getCompletedAt()).isEqualTo(Harness.T0.plusMillis(50));
        assertThat(a.getFirstRevocationAt()).isEqualTo(Harness.T0.plusMillis(10));
        assertThat(a.getLastRevocationAt()).isEqualTo(Harness.T0.plusMillis(30));

        // And an aggregate read back (its own output) starts nothing new
        h.impactsIn.pipeInput("BIS-1", a);
        assertThat(h.impacts.isEmpty()).isTrue();
    }

    private static DirectiveImpact partial(int partition, int count, long covered, long revoked, String sample, java.time.Instant at) {
        return DirectiveImpact.newBuilder()
                .setDirectiveId("BIS-1").setRevision(1).setChangeId("c-1").setRequestId(null).setMode(DirectiveMode.ENFORCE)
                .setKind(ImpactKind.PARTIAL).setPartition(partition).setPartitionCount(count).setPartitionsReported(1)
                .setCovered(covered).setRevoked(revoked)
                .setCountsByResource(java.util.Map.of(FABLE, covered)).setCountsByNationality(java.util.Map.of("DE", covered))
                .setCountsByRole(java.util.Map.of("customer", covered)).setSampleSessionIds(List.of(sample))
                .setAcceptedAt(Harness.T0).setSweepStartedAt(Harness.T0).setCompletedAt(at)
                .setFirstRevocationAt(revoked == 0 ? null : at).setLastRevocationAt(revoked == 0 ? null : at)
                .build();
    }

    // ------------------------------------------------------------------ audit and eviction

    @Test
    void shouldNumberAuditEventsGapFreePerPartition() {
        // Given a busy timeline with directive, session and unreadable activity
        h.start("s1", FABLE, "DE");
        h.start("s2", FABLE, "US");
        h.send(seedOrder());
        run(100);
        h.send(h.event("s1", SessionEventType.HEARTBEAT, FABLE, subject("u-s1", List.of("DE"), List.of("customer"))));
        h.send(h.event("s2", SessionEventType.ENDED, FABLE, subject("u-s2", List.of("US"), List.of("customer"))));
        h.rawDirectives.pipeInput("x".getBytes(), new byte[] {1});
        h.rawDirectives.pipeInput("y".getBytes(), new byte[] {2});
        h.send(h.lift("BIS-1", 2));
        run(100);

        // Then per (component, sourcePartition) the sequence is 1, 2, 3… and ids are component/partition/sequence
        List<AuditEvent> all = h.drainAudit();
        assertThat(all).hasSizeGreaterThan(8);
        for (int partition : new int[] {0, -1}) {
            List<AuditEvent> mine = all.stream().filter(a -> a.getSourcePartition() == partition).toList();
            assertThat(mine).isNotEmpty();
            for (int i = 0; i < mine.size(); i++) {
                AuditEvent a = mine.get(i);
                assertThat(a.getSequence()).isEqualTo(i + 1);
                assertThat(a.getComponent()).isEqualTo("enforcement-stream");
                assertThat(a.getEventId()).isEqualTo("enforcement-stream/" + partition + "/" + (i + 1));
            }
        }
    }

    @Test
    void shouldEvictIdleSessionsAfterTheTtlOnly() {
        // Given a TTL of 60 s (last-seen granularity 1 s), an idle session and one that keeps sending heartbeats
        h.close();
        h = new Harness(EnforcementSettings.defaults().withSessionPartitions(1).withSessionTtlMs(60_000).withLastSeenGranularityMs(1000));
        h.start("idle", FABLE, "DE");
        h.start("busy", FABLE, "DE");

        // When 50 s pass
        for (int i = 0; i < 5; i++) {
            h.advanceInSteps(10_000, 1000);
            h.send(h.event("busy", SessionEventType.HEARTBEAT, FABLE, subject("u-busy", List.of("DE"), List.of("customer"))));
        }
        // Then nothing is evicted yet
        assertThat(h.drainAuditTypes()).doesNotContain(AuditEventType.SESSION_EVICTED);

        // When the idle one passes its TTL
        h.advanceInSteps(15_000, 1000);

        // Then it alone is evicted, and audited
        assertThat(h.drainAudit()).filteredOn(a -> a.getType() == AuditEventType.SESSION_EVICTED)
                .extracting(AuditEvent::getSessionId).containsExactly("idle");

        // And if it comes back while a directive covers it, it is unknown and live: fail closed
        h.send(seedOrder());
        h.advance(20);
        h.drainCommands();
        h.send(h.event("idle", SessionEventType.HEARTBEAT, FABLE, subject("u-idle", List.of("DE"), List.of("customer"))));
        assertThat(h.drainCommands()).containsExactly("REVOKE idle BIS-1 1");
    }

    @Test
    void shouldStillEvictAnIdleSessionIndexedUnderAnotherLastSeenGranularity() {
        // Given an idle session whose expiry-index entry was written when the last-seen granularity was 60 s, not 1 s
        h.close();
        h = new Harness(EnforcementSettings.defaults().withSessionPartitions(1).withSessionTtlMs(60_000).withLastSeenGranularityMs(1000));
        h.start("idle", FABLE, "DE");
        h.advance(20);
        org.apache.kafka.streams.state.KeyValueStore<String, byte[]> index =
                h.driver.getKeyValueStore(dev.cordon.enforcement.internal.Names.SESSION_EXPIRY_INDEX_STORE);
        List<String> keys = new java.util.ArrayList<>();
        try (var it = index.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        assertThat(keys).hasSize(1);
        keys.forEach(index::delete);
        index.put(String.format("%019d", Harness.T0.toEpochMilli() / 60_000) + "\u0000idle", new byte[0]);

        // When it stays idle past its TTL
        h.advanceInSteps(90_000, 1000);

        // Then it is evicted all the same
        assertThat(h.drainAudit()).filteredOn(a -> a.getType() == AuditEventType.SESSION_EVICTED)
                .extracting(AuditEvent::getSessionId).containsExactly("idle");
    }

    @Test
    void shouldNotRewriteTheSessionChangelogForHeartbeatsThatChangeNothingWithinTheLastSeenGranularity() {
        // Given a last-seen granularity of 10 s and an active session, its start written to the sessions changelog
        h.close();
        h = new Harness(EnforcementSettings.defaults().withSessionPartitions(1).withLastSeenGranularityMs(10_000));
        TestOutputTopic<String, byte[]> changelog = h.sessionsChangelog();
        Subject user = subject("u-s1", List.of("DE"), List.of("customer"));
        h.start("s1", FABLE, "DE");
        assertThat(changelog.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("s1");

        // When it sends a heartbeat that changes nothing every second for 9 s
        for (int i = 0; i < 9; i++) {
            h.advance(1000);
            h.send(h.event("s1", SessionEventType.HEARTBEAT, FABLE, user));
        }
        // Then none of them is written
        assertThat(changelog.readKeyValuesToList()).isEmpty();

        // When the next one arrives once the granularity has passed since the last write
        h.advance(1000);
        h.send(h.event("s1", SessionEventType.HEARTBEAT, FABLE, user));
        // Then that one heartbeat is written, once
        assertThat(changelog.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("s1");

        // And the following one, within the granularity again, is not
        h.advance(1000);
        h.send(h.event("s1", SessionEventType.HEARTBEAT, FABLE, user));
        assertThat(changelog.readKeyValuesToList()).isEmpty();

        // And a heartbeat that changes something (the resource) is written even within the granularity
        h.advance(1000);
        h.send(h.event("s1", SessionEventType.HEARTBEAT, MYTHOS, user));
        assertThat(changelog.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("s1");
    }

    /** TTL 60 s, granularity 1 s, eviction every 1 s once caught up within 10 s; "idle" started at T0, then idle. */
    private void givenAnIdleSessionAndShortTtlWithCatchUpWindowOf10s() {
        h.close();
        h = new Harness(EnforcementSettings.defaults().withSessionPartitions(1).withSessionTtlMs(60_000)
                .withLastSeenGranularityMs(1000).withEviction(1000, 1000, 10_000));
        h.start("idle", FABLE, "DE");
    }

    /**
     * Replays a backlog for {@code seconds}: each second the wall clock advances (eviction passes run), then one event of
     * session "replayed" is read whose record was appended {@code lagMs} before now. Ends right after the last read.
     */
    private void replayBacklog(int seconds, long lagMs) {
        Subject user = subject("u-replayed", List.of("DE"), List.of("customer"));
        for (int i = 0; i < seconds; i++) {
            h.advance(1000);
            Instant appendedAt = h.now().minusMillis(lagMs);
            SessionEventType type = i == 0 ? SessionEventType.STARTED : SessionEventType.HEARTBEAT;
            h.sendAppendedAt(Harness.event("replayed", type, FABLE, user, appendedAt), appendedAt);
        }
    }

    private List<String> drainEvicted() {
        return h.drainAudit().stream().filter(a -> a.getType() == AuditEventType.SESSION_EVICTED)
                .map(AuditEvent::getSessionId).toList();
    }

    @Test
    void shouldNotEvictWhileTheTaskIsStillCatchingUpWithItsInput() {
        // Given a TTL of 60 s, a catch-up window of 10 s and a session idle since T0
        givenAnIdleSessionAndShortTtlWithCatchUpWindowOf10s();

        // When for 90 s the task reads a backlog (after downtime) whose records were appended 30 s before it reads them
        replayBacklog(90, 30_000);

        // Then the idle session is not evicted, though idle for 90 s (past TTL + granularity + one interval = 62 s)
        assertThat(drainEvicted()).isEmpty();

        // When the task reaches the head of its input: a record read as soon as it was appended
        h.send(h.event("replayed", SessionEventType.HEARTBEAT, FABLE, subject("u-replayed", List.of("DE"), List.of("customer"))));
        h.advance(1000);

        // Then the next eviction pass evicts the idle session alone, and audits it
        assertThat(drainEvicted()).containsExactly("idle");
    }

    @Test
    void shouldEvictOnceNoRecordHasArrivedForTheCatchUpWindowAfterABacklog() {
        // Given a TTL of 60 s, a catch-up window of 10 s, a session idle since T0, and 90 s of backlog read 30 s late
        givenAnIdleSessionAndShortTtlWithCatchUpWindowOf10s();
        replayBacklog(90, 30_000);
        assertThat(drainEvicted()).isEmpty();

        // When no record arrives for 9 s, less than the catch-up window
        h.advanceInSteps(9000, 1000);
        // Then nothing is evicted yet: the last record read was still 30 s behind
        assertThat(drainEvicted()).isEmpty();

        // When the quiet lasts the whole catch-up window
        h.advance(1000);
        // Then the idle session alone is evicted, and audited
        assertThat(drainEvicted()).containsExactly("idle");
    }
}
