package dev.cordon.audit.tools;

import dev.cordon.audit.CheckpointKeys;
import dev.cordon.audit.EntryHasher;
import dev.cordon.audit.SignedCheckpoint;
import dev.cordon.audit.internal.TreeStore;
import dev.cordon.audit.merkle.Checkpoint;
import dev.cordon.audit.merkle.Cosignature;
import dev.cordon.audit.merkle.NoteSignature;
import dev.cordon.audit.merkle.NoteVerificationException;
import dev.cordon.audit.merkle.NoteVerifier;
import dev.cordon.audit.merkle.ProofBuilder;
import dev.cordon.audit.merkle.ProofResult;
import dev.cordon.audit.merkle.ProofVerifier;
import dev.cordon.audit.merkle.SignedNote;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import javax.sql.DataSource;

/**
 * {@code cordon audit witness}: an independent party with its own key cosigns the log's newest checkpoint only if it
 * is an append-only extension of the last one this witness cosigned (kept in the witness's own state file), checked
 * with a consistency proof served from the log's stored tree (RFC 9162 §2.1.4; c2sp.org/tlog-cosignature: a
 * cosignature states the witness saw no conflicting tree). The cosignature line is inserted into
 * {@code audit_cosignatures}; the state file then holds the cosigned note.
 */
public final class Witness {

    /** The witness refused a checkpoint: it is not an append-only extension, or its signature fails. */
    public static final class RefusedException extends RuntimeException {
        RefusedException(String message) {
            super(message);
        }
    }

    /**
     * @param cosigned   a new cosignature was published
     * @param treeSize   size of the checkpoint considered
     * @param cosignedNote the checkpoint note with the witness's signature line appended ({@code null} if none)
     * @param message    what happened
     */
    public record Outcome(boolean cosigned, long treeSize, String cosignedNote, String message) {
    }

    private Witness() {
    }

    /**
     * Cosigns the newest checkpoint of the log in {@code ds}.
     *
     * @param ds          the log's database (SELECT on the audit tables, INSERT on {@code audit_cosignatures})
     * @param logKey      the log's verifier key (type 0x01)
     * @param key         the witness key
     * @param stateFile   the witness's state file (created on first run: the first checkpoint is trusted on first use)
     * @param nowSeconds  POSIX seconds for the cosignature timestamp
     * @return the outcome
     * @throws RefusedException if the newest checkpoint is not a consistent extension (or not validly signed)
     */
    public static Outcome run(DataSource ds, NoteVerifier logKey, CheckpointKeys.WitnessKey key, Path stateFile,
                              long nowSeconds) {
        AuditorState state = AuditorState.load(stateFile);
        SignedCheckpoint latest;
        Checkpoint cp;
        try (DatabaseTrail db = DatabaseTrail.open(ds)) {
            List<SignedCheckpoint> cps = db.checkpoints();
            if (cps.isEmpty()) {
                return new Outcome(false, 0, null, "the log has no checkpoint yet");
            }
            latest = cps.get(cps.size() - 1);
            try {
                cp = Checkpoint.parse(NoteVerifier.open(latest.note(), List.of(logKey)).text());
            } catch (NoteVerificationException e) {
                throw new RefusedException("REFUSED checkpoint " + latest.number() + " (size " + latest.treeSize()
                        + "): its signature does not verify under " + logKey.keyName() + ": " + e.getMessage());
            }
            if (state != null) {
                if (!state.origin().equals(cp.origin())) {
                    throw new RefusedException("REFUSED: checkpoint origin '" + cp.origin() + "' is not the origin '"
                            + state.origin() + "' this witness follows");
                }
                if (cp.size() < state.treeSize()) {
                    throw new RefusedException("REFUSED: the newest checkpoint has " + cp.size()
                            + " entries but this witness cosigned " + state.treeSize() + ": the log shrank (truncated)");
                }
                for (SignedCheckpoint other : cps) {
                    if (other.treeSize() == state.treeSize() && !Arrays.equals(other.rootHash(), state.rootHash())) {
                        throw new RefusedException("REFUSED: checkpoint " + other.number() + " has size "
                                + other.treeSize() + " with root " + EntryHasher.hex(other.rootHash())
                                + " but this witness cosigned root " + EntryHasher.hex(state.rootHash())
                                + " for that size: the log was rewritten (a fork)");
                    }
                }
                if (cp.size() == state.treeSize()) {
                    if (!Arrays.equals(cp.rootHash(), state.rootHash())) {
                        throw new RefusedException("REFUSED: same size " + cp.size() + ", different root: a fork");
                    }
                    return new Outcome(false, cp.size(), null, "nothing new: already cosigned size " + cp.size());
                }
                List<byte[]> proof;
                try {
                    proof = ProofBuilder.consistencyProof(state.treeSize(), cp.size(), db.nodes());
                } catch (NoSuchElementException e) {
                    throw new RefusedException("REFUSED: the log cannot prove consistency from size " + state.treeSize()
                            + " to " + cp.size() + ": " + e.getMessage());
                }
                ProofResult r = ProofVerifier.verifyConsistency(state.treeSize(), cp.size(), proof, state.rootHash(),
                        cp.rootHash());
                if (r instanceof ProofResult.Failure f) {
                    throw new RefusedException("REFUSED: checkpoint " + latest.number() + " (size " + cp.size()
                            + ") is not an append-only extension of size " + state.treeSize() + " (root "
                            + EntryHasher.hex(state.rootHash()) + ") that this witness cosigned: " + f.message());
                }
            }
        }
        String text = SignedNote.parse(latest.note()).text();
        NoteSignature cosig = Cosignature.sign(key.name(), key.keyPair(), nowSeconds, text);
        try (Connection c = ds.getConnection()) {
            TreeStore.insertCosignature(c, new TreeStore.CosignatureRow(cp.size(), cp.rootHash(), key.name(),
                    Integer.toUnsignedLong(cosig.keyId()), nowSeconds, cosig.toLine()));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot publish the cosignature to audit_cosignatures: " + e.getMessage(), e);
        }
        String cosigned = SignedNote.parse(latest.note()).withSignatures(List.of(cosig)).format();
        AuditorState.of(latest.note(), System.currentTimeMillis()).save(stateFile);
        return new Outcome(true, cp.size(), cosigned, "cosigned checkpoint " + latest.number() + " (size " + cp.size()
                + (state == null ? ", first checkpoint: trusted on first use" : ", consistent with size " + state.treeSize())
                + ")");
    }
}
