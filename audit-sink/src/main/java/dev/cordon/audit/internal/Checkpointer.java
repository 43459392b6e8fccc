package dev.cordon.audit.internal;

import dev.cordon.audit.SignedCheckpoint;
import dev.cordon.audit.merkle.Checkpoint;
import dev.cordon.audit.merkle.CompactRange;
import dev.cordon.audit.merkle.NoteSigner;
import dev.cordon.audit.merkle.SignedNote;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Decides when to sign a checkpoint and signs it inside the caller's transaction (DESIGN.md "Audit trail"):
 * right after a batch holding a directive change ({@code DIRECTIVE_ACCEPTED} / {@code DIRECTIVE_RECEIVED}),
 * whenever the tree grew and the last checkpoint is {@code intervalMs} old, once under a key that has not
 * signed yet ({@code ROTATION} / {@code FIRST}), and on a graceful stop when the tree grew since the last one
 * ({@code SHUTDOWN}).
 */
public final class Checkpointer {
    private final String origin;
    private final NoteSigner signer;
    private final String verifierKey;
    private final long intervalMs;
    private boolean keyRegistered;

    public Checkpointer(String origin, NoteSigner signer, String verifierKey, long intervalMs) {
        this.origin = origin;
        this.signer = signer;
        this.verifierKey = verifierKey;
        this.intervalMs = intervalMs;
    }

    public String origin() {
        return origin;
    }

    public String verifierKey() {
        return verifierKey;
    }

    /**
     * @param c               connection in the writer's transaction (writer lock held)
     * @param tree            the tree after the batch
     * @param directiveChange whether the batch held a directive change
     * @param nowMs           wall clock
     * @return the new checkpoint (inserted, to publish after commit), or {@code null} when none is due
     */
    public SignedCheckpoint maybeSign(Connection c, CompactRange tree, boolean directiveChange, long nowMs)
            throws SQLException {
        return sign(c, tree, directiveChange, false, nowMs);
    }

    /**
     * Signs a {@code SHUTDOWN} checkpoint when the tree grew since the last checkpoint (or a {@code FIRST} /
     * {@code ROTATION} one when due), whatever the interval.
     *
     * @param c     connection in the writer's transaction (writer lock held)
     * @param tree  the tree as stored
     * @param nowMs wall clock
     * @return the new checkpoint, or {@code null} when the last one already covers the tree
     */
    public SignedCheckpoint signOnShutdown(Connection c, CompactRange tree, long nowMs) throws SQLException {
        return sign(c, tree, false, true, nowMs);
    }

    private SignedCheckpoint sign(Connection c, CompactRange tree, boolean directiveChange, boolean shutdown, long nowMs)
            throws SQLException {
        SignedCheckpoint last = TreeStore.lastCheckpoint(c);
        boolean newKey = last == null || !(last.keyName().equals(signer.keyName())
                && last.keyId() == Integer.toUnsignedLong(signer.keyId()));
        String reason;
        if (last == null) {
            if (tree.size() == 0) {
                return null;
            }
            reason = "FIRST";
        } else if (newKey) {
            reason = "ROTATION";
        } else if (tree.size() == last.treeSize()) {
            return null;
        } else if (directiveChange) {
            reason = "DIRECTIVE";
        } else if (shutdown) {
            reason = "SHUTDOWN";
        } else if (nowMs - last.signedAtMs() >= intervalMs) {
            reason = "PERIODIC";
        } else {
            return null;
        }
        if (!keyRegistered) {
            TreeStore.registerKey(c, verifierKey, signer.keyName(), Integer.toUnsignedLong(signer.keyId()), nowMs);
            keyRegistered = true;
        }
        Checkpoint cp = Checkpoint.of(origin, tree.size(), tree.root());
        SignedNote note = signer.signCheckpoint(cp);
        SignedCheckpoint signed = new SignedCheckpoint(last == null ? 1 : last.number() + 1, tree.size(), tree.root(),
                signer.keyName(), Integer.toUnsignedLong(signer.keyId()), nowMs, reason, note.format());
        TreeStore.insertCheckpoint(c, signed, origin);
        return signed;
    }

    /** Forget the registration (after a rolled-back transaction). */
    public void rolledBack() {
        keyRegistered = false;
    }
}
