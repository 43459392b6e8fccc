package dev.cordon.enforcement;

import static dev.cordon.enforcement.Harness.foreignNationals;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.schemas.signing.SigningKey;
import dev.cordon.schemas.signing.TrustedKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 6 §4: only directive changes signed by a trusted key (directive-ingest's) take effect, so nobody can
 * inject a directive by writing to directive-changes directly. Checked after the multicast, in every task.
 */
class SignedDirectivesTest {
    private final SigningKey ingestKey = SigningKey.generate();
    private final SigningKey forgerKey = SigningKey.generate();
    private Harness h;

    @BeforeEach
    void setUp() {
        h = new Harness(EnforcementSettings.defaults().withSessionPartitions(1), TrustedKeys.of(ingestKey));
        h.start("s1", "fable-5", "DE");
        h.advanceInSteps(200, 10);
        h.drainCommands();
        h.drainAudit();
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    private DirectiveChange order() {
        return h.restrict("BIS-1", 1, foreignNationals()).build();
    }

    @Test
    void shouldRevokeNothingForAnUnsignedDirectiveWrittenStraightToTheTopic() {
        // When an unsigned change (no signature headers) arrives
        h.send(order());
        h.advanceInSteps(500, 10);
        // Then nothing is revoked; it is dead-lettered and audited as ignored for its signature
        assertThat(h.drainCommands()).isEmpty();
        assertThat(h.deadLetters.readRecordsToList()).hasSize(1);
        assertThat(h.drainAudit()).filteredOn(a -> a.getType() == AuditEventType.DIRECTIVE_IGNORED)
                .singleElement().satisfies(a -> assertThat(a.getDetails()).containsEntry("status", "SIGNATURE_UNSIGNED"));
        // And a later session the forged order would cover is admitted
        h.start("s2", "fable-5", "FR");
        assertThat(h.drainCommands()).isEmpty();
    }

    @Test
    void shouldRevokeNothingForADirectiveSignedWithAnUntrustedKey() {
        h.sendSigned(order(), forgerKey);
        h.advanceInSteps(500, 10);
        assertThat(h.drainCommands()).isEmpty();
        AuditEvent ignored = h.drainAudit().stream().filter(a -> a.getType() == AuditEventType.DIRECTIVE_IGNORED)
                .findFirst().orElseThrow();
        assertThat(ignored.getDetails().get("status")).startsWith("SIGNATURE_");
        assertThat(ignored.getDetails().get("status")).isNotEqualTo("SIGNATURE_UNSIGNED");
    }

    @Test
    void shouldRevokeNothingWhenASignedChangeIsAlteredAfterSigning() {
        // Given a change signed by ingest's key, then altered (the scope widened) before it reaches the task
        DirectiveChange signed = order();
        org.apache.kafka.common.header.Headers headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        dev.cordon.schemas.signing.DirectiveSignatures.sign(signed, ingestKey, headers);
        DirectiveChange altered = DirectiveChange.newBuilder(signed).setRevision(7).build();
        // When it arrives with the original signature
        h.directives.pipeInput(new org.apache.kafka.streams.test.TestRecord<>(altered.getDirectiveId(), altered, headers, h.now()));
        h.advanceInSteps(500, 10);
        // Then it has no effect
        assertThat(h.drainCommands()).isEmpty();
        assertThat(h.drainAudit()).anyMatch(a -> a.getType() == AuditEventType.DIRECTIVE_IGNORED
                && "SIGNATURE_FORGED".equals(a.getDetails().get("status")));
    }

    @Test
    void shouldEnforceADirectiveSignedByTheTrustedIngestKey() {
        h.sendSigned(order(), ingestKey);
        h.advanceInSteps(500, 10);
        assertThat(h.drainCommands()).containsExactly("REVOKE s1 BIS-1 1");
        assertThat(h.deadLetters.isEmpty()).isTrue();
    }
}
