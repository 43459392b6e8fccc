package dev.cordon.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DirectiveLedgerTest {
    private static final Instant T = Instant.parse("2026-11-26T12:00:00Z");
    private final DirectiveLedger ledger = new DirectiveLedger();

    private static ValidatedDirective directive(String id, int revision, DirectiveAction action, DirectiveMode mode) {
        return new ValidatedDirective(id, revision, action, mode, EnforcementKind.REVOKE_AND_DENY, "issuer", "lb",
                "reason", T, null, null);
    }

    private static DirectiveChange change(String id, int revision, DirectiveAction action, DirectiveMode mode) {
        return directive(id, revision, action, mode).toChange("c-" + revision, T, "ops");
    }

    @Test
    void shouldRefuseARevisionThatIsNotHigherThanTheCurrentOneNamingIt() {
        // Given revision 3 is current
        ledger.apply(change("D", 3, DirectiveAction.RESTRICT, DirectiveMode.ENFORCE));
        // When revision 3 and 2 arrive
        for (int stale : new int[] {3, 2}) {
            RefusedException e = catchThrowableOfType(RefusedException.class,
                    () -> ledger.check(directive("D", stale, DirectiveAction.RESTRICT, DirectiveMode.ENFORCE)));
            // Then 409 naming the current revision
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.errors().get(0).error()).contains("current revision 3").contains("send revision 4");
        }
    }

    @Test
    void shouldNotLetADryRunBecomeCurrent() throws Exception {
        // Given a DRY_RUN revision 1 was published
        ledger.apply(change("D", 1, DirectiveAction.RESTRICT, DirectiveMode.DRY_RUN));
        // Then revision 1 can still be issued in ENFORCE, and a LIFT is still unknown
        ledger.check(directive("D", 1, DirectiveAction.RESTRICT, DirectiveMode.ENFORCE));
        assertThat(ledger.current("D")).isEmpty();
    }

    @Test
    void shouldAnswer404ForALiftOfADirectiveNeverIssued() {
        RefusedException e = catchThrowableOfType(RefusedException.class,
                () -> ledger.check(directive("D", 1, DirectiveAction.LIFT, DirectiveMode.ENFORCE)));
        assertThat(e.status()).isEqualTo(404);
    }

    @Test
    void shouldMakeALiftCurrentAndAllowAHigherRestrictAfterIt() throws Exception {
        ledger.apply(change("D", 1, DirectiveAction.RESTRICT, DirectiveMode.ENFORCE));
        ledger.apply(change("D", 2, DirectiveAction.LIFT, DirectiveMode.ENFORCE));
        assertThat(ledger.current("D")).hasValueSatisfying(c -> assertThat(c.getAction()).isEqualTo(DirectiveAction.LIFT));
        ledger.check(directive("D", 3, DirectiveAction.RESTRICT, DirectiveMode.ENFORCE));
    }

    @Test
    void shouldCountEveryRecordForTheAuditSequence() {
        ledger.countRecord();
        ledger.countRecord();
        assertThat(ledger.records()).isEqualTo(2);
    }

    @Test
    void shouldRefuseWritesWith503ToADirectiveWhoseRecordCouldNotBeRead() throws Exception {
        // Given a record of D could not be read
        ledger.markUnreadable("D", "directive-changes-0@7");
        // When / Then D is refused, naming the record; another directive is not affected
        RefusedException e = catchThrowableOfType(RefusedException.class,
                () -> ledger.check(directive("D", 9, DirectiveAction.RESTRICT, DirectiveMode.ENFORCE)));
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.errors().get(0).error()).contains("directive-changes-0@7");
        ledger.check(directive("E", 1, DirectiveAction.RESTRICT, DirectiveMode.ENFORCE));
        assertThat(ledger.hasUnreadable()).isTrue();
    }

    @Test
    void shouldRefuseEveryDirectiveWhenAnUnreadableRecordHasNoKey() {
        ledger.markUnreadable(null, "directive-changes-0@3");
        RefusedException e = catchThrowableOfType(RefusedException.class,
                () -> ledger.check(directive("E", 1, DirectiveAction.RESTRICT, DirectiveMode.ENFORCE)));
        assertThat(e.status()).isEqualTo(503);
    }
}
