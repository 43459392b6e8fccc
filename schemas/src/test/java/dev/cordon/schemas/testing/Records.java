package dev.cordon.schemas.testing;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.CommandKind;
import dev.cordon.avro.Condition;
import dev.cordon.avro.ConditionGroup;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.ImpactKind;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.Scope;
import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One fully populated sample of every published record type. */
public final class Records {
    public static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");

    private Records() {
    }

    public static DirectiveChange directiveChange() {
        return DirectiveChange.newBuilder()
                .setChangeId("c0a8e7a2-0000-4000-8000-000000000001")
                .setDirectiveId("BIS-2026-AI-001")
                .setRevision(1)
                .setAction(DirectiveAction.RESTRICT)
                .setMode(DirectiveMode.ENFORCE)
                .setEnforcement(EnforcementKind.REVOKE_AND_DENY)
                .setIssuer("us-bis")
                .setLegalBasis("15 CFR 744.23 (interim order)")
                .setReason("Restrict access to frontier models")
                .setEffectiveFrom(T0)
                .setEffectiveUntil(T0.plusSeconds(3600))
                .setScope(Scope.newBuilder()
                        .setResources(List.of("fable-5", "mythos-5"))
                        .setSubjects(List.of(ConditionGroup.newBuilder().setAll(List.of(Condition.newBuilder()
                                .setAttribute("nationality").setOp(ConditionOp.NOT_IN).setValues(List.of("US")).build()))
                                .build()))
                        .setExempt(List.of())
                        .build())
                .setAcceptedAt(T0.minusMillis(5))
                .setRequestId(null)
                .setPrincipal("alice")
                .build();
    }

    public static SessionEvent sessionEvent() {
        return SessionEvent.newBuilder()
                .setSessionId("s-1")
                .setType(SessionEventType.STARTED)
                .setResource("fable-5")
                .setGatewayId("gw-eu-1")
                .setOccurredAt(T0)
                .setSubject(Subject.newBuilder()
                        .setUserId("u-1").setOrgId("acme").setNationality(List.of("DE")).setResidenceCountry("DE")
                        .setLocationCountry("DE").setRole(List.of("customer")).setAttributes(Map.of("tier", "gold"))
                        .build())
                .build();
    }

    public static RevocationCommand revocationCommand() {
        return RevocationCommand.newBuilder()
                .setCommandId("cmd-s-1-REVOKE-1")
                .setKind(CommandKind.REVOKE)
                .setAttempt(1)
                .setSessionId("s-1")
                .setUserId("u-1")
                .setResource("fable-5")
                .setGatewayId("gw-eu-1")
                .setDirectiveId("BIS-2026-AI-001")
                .setDirectiveRevision(1)
                .setLegalBasis("15 CFR 744.23 (interim order)")
                .setMatched("nationality NOT_IN [US]")
                .setIssuedAt(T0.plusMillis(120))
                .setChangeId("c0a8e7a2-0000-4000-8000-000000000001")
                .build();
    }

    public static DirectiveImpact directiveImpact() {
        return DirectiveImpact.newBuilder()
                .setDirectiveId("BIS-2026-AI-001")
                .setRevision(1)
                .setChangeId("c0a8e7a2-0000-4000-8000-000000000001")
                .setRequestId("req-7")
                .setMode(DirectiveMode.DRY_RUN)
                .setKind(ImpactKind.AGGREGATE)
                .setPartition(-1)
                .setPartitionCount(12)
                .setPartitionsReported(12)
                .setCovered(1000L)
                .setRevoked(0L)
                .setCountsByResource(Map.of("fable-5", 600L, "mythos-5", 400L))
                .setCountsByNationality(Map.of("DE", 1000L))
                .setCountsByRole(Map.of("customer", 1000L))
                .setSampleSessionIds(List.of("s-1", "s-2"))
                .setAcceptedAt(T0)
                .setSweepStartedAt(T0.plusMillis(10))
                .setCompletedAt(T0.plusMillis(900))
                .setFirstRevocationAt(null)
                .setLastRevocationAt(null)
                .build();
    }

    public static AuditEvent auditEvent() {
        return AuditEvent.newBuilder()
                .setEventId("enforcement-stream/3/17")
                .setType(AuditEventType.SESSION_REVOKED)
                .setComponent("enforcement-stream")
                .setSourcePartition(3)
                .setSequence(17L)
                .setOccurredAt(T0.plusMillis(120))
                .setDirectiveId("BIS-2026-AI-001")
                .setDirectiveRevision(1)
                .setSessionId("s-1")
                .setCommandId("cmd-s-1-REVOKE-1")
                .setDetails(Map.of("kind", "REVOKE", "attempt", "1"))
                .build();
    }

    /** @return one sample of every published record type */
    public static List<SpecificRecord> all() {
        return List.of(directiveChange(), sessionEvent(), revocationCommand(), directiveImpact(), auditEvent());
    }
}
