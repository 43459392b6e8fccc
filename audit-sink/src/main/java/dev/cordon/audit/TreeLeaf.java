package dev.cordon.audit;

import dev.cordon.audit.merkle.Rfc6962Hasher;

/**
 * The leaves of the audit trail's RFC 6962 Merkle tree — the definition an auditor re-implements
 * (DESIGN.md "Audit trail"; RFC 6962 §2.1).
 *
 * <pre>
 * leaf index(n)  = seq(n) - 1                       (entry 1 is leaf 0)
 * leaf bytes(n)  = entry_hash(n)                     (32 bytes, see {@link EntryHasher})
 * leaf hash(n)   = SHA-256(0x00 || entry_hash(n))
 * </pre>
 * Why the entry hash and not the layout: {@code entry_hash(n) = SHA-256(prev_hash(n) || layout(n))} already
 * commits to every column of the entry and to its place in the chain, so the tree and the chain cannot be
 * rewritten independently, and an auditor recomputes a leaf from an exported entry alone (its columns and
 * {@code prev_hash}) — never trusting the stored {@code entry_hash}.
 */
public final class TreeLeaf {
    private TreeLeaf() {
    }

    /** @return the RFC 6962 leaf hash of {@code e}, recomputed from its columns (32 bytes) */
    public static byte[] leafHash(AuditEntry e) {
        return Rfc6962Hasher.SHA256.hashLeaf(EntryHasher.hash(e));
    }

    /** @return the leaf hash for an already verified {@code entryHash} */
    public static byte[] leafHashOf(byte[] entryHash) {
        return Rfc6962Hasher.SHA256.hashLeaf(entryHash);
    }

    /** @return the leaf index of entry {@code seq} ({@code seq - 1}) */
    public static long index(long seq) {
        return seq - 1;
    }
}
