package dev.cordon.ingest.internal;

import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.Scope;
import java.time.Instant;
import java.util.Objects;

/**
 * A directive document that passed {@link DirectiveValidator}: defaults applied, country codes upper-cased,
 * instants truncated to milliseconds (the precision of Avro {@code timestamp-millis}). Revision rules
 * (409/404) are not checked yet: they need the durable state, see {@link DirectiveLog}.
 *
 * @param scope {@code null} for a LIFT
 * @param effectiveUntil {@code null} when open-ended
 * @param legalBasis {@code null} only on a LIFT that gave none
 * @param effectiveFromDefaulted whether {@code effectiveFrom} was left out (so it is the acceptance instant)
 * @param breakGlass whether the document asked for break-glass (issue 6 point 3)
 */
public record ValidatedDirective(String directiveId, int revision, DirectiveAction action, DirectiveMode mode,
                                 EnforcementKind enforcement, String issuer, String legalBasis, String reason,
                                 Instant effectiveFrom, Instant effectiveUntil, Scope scope,
                                 boolean effectiveFromDefaulted, boolean breakGlass) {
    /** Without the break-glass and defaulting flags (both false). */
    public ValidatedDirective(String directiveId, int revision, DirectiveAction action, DirectiveMode mode,
                              EnforcementKind enforcement, String issuer, String legalBasis, String reason,
                              Instant effectiveFrom, Instant effectiveUntil, Scope scope) {
        this(directiveId, revision, action, mode, enforcement, issuer, legalBasis, reason, effectiveFrom,
                effectiveUntil, scope, false, false);
    }

    public ValidatedDirective {
        Objects.requireNonNull(directiveId, "directiveId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(enforcement, "enforcement");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(effectiveFrom, "effectiveFrom");
    }

    /**
     * @param changeId   UUID assigned by ingest
     * @param acceptedAt acceptance instant (ingest's wall clock)
     * @param principal  authenticated principal, {@code null} when authentication is disabled
     * @return the record published on directive-changes
     */
    public DirectiveChange toChange(String changeId, Instant acceptedAt, String principal) {
        return DirectiveChange.newBuilder()
                .setChangeId(changeId)
                .setDirectiveId(directiveId)
                .setRevision(revision)
                .setAction(action)
                .setMode(mode)
                .setEnforcement(enforcement)
                .setIssuer(issuer)
                .setLegalBasis(legalBasis)
                .setReason(reason)
                .setEffectiveFrom(effectiveFrom)
                .setEffectiveUntil(effectiveUntil)
                .setScope(scope == null ? null : Scope.newBuilder(scope).build())
                .setAcceptedAt(acceptedAt)
                .setRequestId(mode == DirectiveMode.DRY_RUN ? changeId : null)
                .setPrincipal(principal)
                .build();
    }
}
