package dev.cordon.enforcement.internal;

import dev.cordon.avro.Condition;
import dev.cordon.avro.ConditionGroup;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.Scope;
import dev.cordon.avro.Subject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Pure directive rules of DESIGN.md "Directive lifecycle" and "Coverage": in force, the deterministic choice
 * among several covering directives, and the checks that make a decoded {@code DirectiveChange} usable.
 */
public final class DirectiveRules {
    /** Order of precedence among covering directives: lowest (effectiveFrom, directiveId) first. */
    public static final Comparator<DirectiveChange> PRECEDENCE = Comparator
            .comparing((DirectiveChange c) -> c.getEffectiveFrom().toEpochMilli())
            .thenComparing(DirectiveChange::getDirectiveId);

    private DirectiveRules() {
    }

    /** A covering directive and the rendering of its matching subjects group. */
    public record Match(DirectiveChange directive, String matched) {
    }

    /** @return whether {@code c} is an ENFORCE RESTRICT (a revision that can be in force) */
    public static boolean isEnforcedRestrict(DirectiveChange c) {
        return c.getAction() == DirectiveAction.RESTRICT && c.getMode() == DirectiveMode.ENFORCE;
    }

    /** @return whether {@code c} is in force at {@code nowMs}: an ENFORCE RESTRICT with effectiveFrom ≤ now < effectiveUntil */
    public static boolean inForce(DirectiveChange c, long nowMs) {
        return isEnforcedRestrict(c)
                && c.getEffectiveFrom().toEpochMilli() <= nowMs
                && (c.getEffectiveUntil() == null || nowMs < c.getEffectiveUntil().toEpochMilli());
    }

    /**
     * @param current     current revisions of this task's directives (any order)
     * @param nowMs       task wall clock
     * @return the directives in force, in {@link #PRECEDENCE} order
     */
    public static List<DirectiveChange> inForceOrdered(Iterable<DirectiveChange> current, long nowMs) {
        List<DirectiveChange> list = new ArrayList<>();
        for (DirectiveChange c : current) {
            if (inForce(c, nowMs)) {
                list.add(c);
            }
        }
        list.sort(PRECEDENCE);
        return list;
    }

    /**
     * The directive a command names: the first of {@code inForce} (already in precedence order) that covers the
     * session, considering only REVOKE_AND_DENY directives when {@code revokingOnly}.
     */
    public static Optional<Match> choose(List<DirectiveChange> inForce, String resource, Subject subject, boolean revokingOnly) {
        for (DirectiveChange d : inForce) {
            if (revokingOnly && d.getEnforcement() != EnforcementKind.REVOKE_AND_DENY) {
                continue;
            }
            Optional<String> matched = ScopeMatcher.match(d.getScope(), resource, subject);
            if (matched.isPresent()) {
                return Optional.of(new Match(d, matched.get()));
            }
        }
        return Optional.empty();
    }

    /**
     * Checks that a decoded change can be acted on; a change that fails is unreadable input (dead-letter +
     * audit), never guessed (DirectiveMode.avsc: "such a record is refused").
     *
     * @throws IllegalArgumentException naming the field and what would be valid
     */
    public static void requireUsable(DirectiveChange c) {
        require(c.getDirectiveId() != null && !c.getDirectiveId().isBlank(), "directiveId: must not be empty");
        require(c.getRevision() >= 1, "revision: must be >= 1, was " + c.getRevision());
        require(c.getAction() == DirectiveAction.RESTRICT || c.getAction() == DirectiveAction.LIFT,
                "action: " + c.getAction() + " is not RESTRICT or LIFT");
        require(c.getMode() == DirectiveMode.ENFORCE || c.getMode() == DirectiveMode.DRY_RUN,
                "mode: " + c.getMode() + " is not ENFORCE or DRY_RUN");
        require(c.getEffectiveFrom() != null, "effectiveFrom: required");
        if (c.getAction() == DirectiveAction.LIFT) {
            return;
        }
        require(c.getEnforcement() == EnforcementKind.REVOKE_AND_DENY || c.getEnforcement() == EnforcementKind.DENY_NEW,
                "enforcement: " + c.getEnforcement() + " is not REVOKE_AND_DENY or DENY_NEW");
        require(c.getEffectiveUntil() == null || c.getEffectiveUntil().isAfter(c.getEffectiveFrom()),
                "effectiveUntil: must be after effectiveFrom");
        Scope scope = c.getScope();
        require(scope != null, "scope: required for RESTRICT");
        require(!scope.getResources().isEmpty(), "scope.resources: must not be empty");
        requireGroups(scope.getSubjects(), "scope.subjects");
        requireGroups(scope.getExempt(), "scope.exempt");
    }

    private static void requireGroups(List<ConditionGroup> groups, String field) {
        for (int g = 0; g < groups.size(); g++) {
            List<Condition> all = groups.get(g).getAll();
            require(!all.isEmpty(), field + "[" + g + "].all: must not be empty");
            for (int i = 0; i < all.size(); i++) {
                Condition cond = all.get(i);
                String at = field + "[" + g + "].all[" + i + "]";
                require(ScopeMatcher.isKnownAttribute(cond.getAttribute()),
                        at + ".attribute: " + cond.getAttribute() + " is not one of " + ScopeMatcher.ATTRIBUTES + " or attr.<name>");
                require(cond.getOp() == ConditionOp.IN || cond.getOp() == ConditionOp.NOT_IN,
                        at + ".op: " + cond.getOp() + " is not IN or NOT_IN");
            }
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
