package dev.cordon.audit;

import dev.cordon.audit.merkle.Checkpoint;
import java.util.Objects;

/**
 * A checkpoint as stored in {@code audit_checkpoints} and published on {@code audit-checkpoints}
 * (c2sp.org/tlog-checkpoint text in a c2sp.org/signed-note, Ed25519 signature type 0x01).
 *
 * @param number     1, 2, 3… in signing order
 * @param treeSize   number of entries covered (entries 1..treeSize)
 * @param rootHash   RFC 6962 root over those entries' leaves ({@link TreeLeaf}), 32 bytes
 * @param keyName    name of the signing key (signature line)
 * @param keyId      32-bit key ID of the signing key (unsigned, as a long)
 * @param signedAtMs sink wall clock when signed, epoch ms
 * @param reason     {@code PERIODIC}, {@code DIRECTIVE}, {@code ROTATION} or {@code FIRST}
 * @param note       the whole signed note (text, blank line, signature lines)
 */
public record SignedCheckpoint(long number, long treeSize, byte[] rootHash, String keyName, long keyId,
                               long signedAtMs, String reason, String note) {
    public SignedCheckpoint {
        Objects.requireNonNull(rootHash, "rootHash");
        Objects.requireNonNull(note, "note");
    }

    /** @return the checkpoint parsed from the note text (signatures not checked) */
    public Checkpoint checkpoint() {
        return Checkpoint.parse(dev.cordon.audit.merkle.SignedNote.parse(note).text());
    }
}
