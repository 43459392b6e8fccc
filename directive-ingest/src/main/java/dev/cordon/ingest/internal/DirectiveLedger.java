package dev.cordon.ingest.internal;

import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The revision state rebuilt from directive-changes (DESIGN.md "Directive lifecycle"): per directive, its
 * current revision — the highest accepted {@code ENFORCE} revision, RESTRICT or LIFT — and the number of
 * committed records read, from which the audit sequence is derived. {@code DRY_RUN} records never change the
 * current revision. Not thread-safe: {@link DirectiveLog} uses it under its lock.
 */
public final class DirectiveLedger {
    private final Map<String, DirectiveChange> current = new TreeMap<>();
    private final Map<String, List<DirectiveChange>> history = new java.util.HashMap<>();
    /** Directive id (record key) → where its unreadable record is; {@code null} key: a record without a key. */
    private final Map<String, String> unreadable = new java.util.HashMap<>();
    private long records;

    /**
     * Notes a committed record whose value could not be read: the revision state of its directive (its key)
     * is unknown, so writes to that directive are refused with 503 rather than risk accepting a stale
     * revision. A record without a readable key blocks every directive.
     *
     * @param directiveId the record key, or {@code null}
     * @param where       e.g. {@code directive-changes-0@17}, for the message
     */
    public void markUnreadable(String directiveId, String where) {
        unreadable.putIfAbsent(directiveId, where);
    }

    /** @return whether some committed record could not be read ({@link #markUnreadable}) */
    public boolean hasUnreadable() {
        return !unreadable.isEmpty();
    }

    /** Counts one committed record of directive-changes, readable or not. */
    public void countRecord() {
        records++;
    }

    /** @return committed directive-changes records read so far (every partition) */
    public long records() {
        return records;
    }

    /**
     * Applies a committed change: an {@code ENFORCE} RESTRICT or LIFT with a revision above the current one
     * becomes current; anything else (DRY_RUN, lower revision, a symbol this reader does not know) is ignored.
     */
    public void apply(DirectiveChange change) {
        if (change.getMode() != DirectiveMode.ENFORCE) {
            return;
        }
        if (change.getAction() != DirectiveAction.RESTRICT && change.getAction() != DirectiveAction.LIFT) {
            return;
        }
        DirectiveChange existing = current.get(change.getDirectiveId());
        if (existing == null || change.getRevision() > existing.getRevision()) {
            current.put(change.getDirectiveId(), change);
            history.computeIfAbsent(change.getDirectiveId(), k -> new ArrayList<>()).add(change);
        }
    }

    /**
     * Checks the revision rules of DESIGN.md "Directive lifecycle" against the current state (for DRY_RUN too:
     * a preview of a stale revision is refused like the real thing).
     *
     * @throws RefusedException 404 for a LIFT of a directive never issued; 409 when the revision is not higher
     *                          than the current one (the message names the current revision); 503 when a record
     *                          of this directive could not be read ({@link #markUnreadable})
     */
    public void check(ValidatedDirective directive) throws RefusedException {
        String blocked = unreadable.containsKey(null) ? unreadable.get(null) : unreadable.get(directive.directiveId());
        if (blocked != null) {
            throw new RefusedException(new ApiError(ApiError.UNAVAILABLE, "directiveId", "the revision state of `"
                    + directive.directiveId() + "` is unknown: the record at " + blocked + " could not be read "
                    + "(schema registry?); writes to it are refused until ingest can read it"));
        }
        DirectiveChange existing = current.get(directive.directiveId());
        if (existing == null) {
            if (directive.action() == DirectiveAction.LIFT) {
                throw new RefusedException(ApiError.at(ApiError.NOT_FOUND, "directiveId", "directive `"
                        + directive.directiveId() + "` was never issued; there is nothing to lift"));
            }
            return;
        }
        if (directive.revision() <= existing.getRevision()) {
            throw new RefusedException(ApiError.at(ApiError.CONFLICT, "revision", "revision "
                    + directive.revision() + " of `" + directive.directiveId() + "` is not higher than the current "
                    + "revision " + existing.getRevision() + " (" + existing.getAction() + ", accepted at "
                    + existing.getAcceptedAt() + "); send revision " + (existing.getRevision() + 1L) + " or higher"));
        }
    }

    /** @return the current revision of {@code directiveId}, if it was ever issued */
    public Optional<DirectiveChange> current(String directiveId) {
        return Optional.ofNullable(current.get(directiveId));
    }

    /** @return every revision of {@code directiveId} that became current, oldest first */
    public List<DirectiveChange> history(String directiveId) {
        return List.copyOf(history.getOrDefault(directiveId, List.of()));
    }

    /** @return the current revision of every directive ever issued, by directive id */
    public List<DirectiveChange> all() {
        return new ArrayList<>(current.values());
    }
}
