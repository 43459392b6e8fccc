package dev.cordon.audit.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The compact range of a log: the roots of the minimal set of perfect subtrees covering the leaves
 * {@code [0, size)}, ordered left to right (largest first) — one hash per set bit of {@code size}.
 * It is enough to append leaves and compute the root hash without re-reading earlier leaves
 * (transparency-dev/merkle {@code compact.Range}, docs/compact_ranges.md; tree shape per RFC 9162 §2.1.1).
 *
 * <h2>Persisting</h2>
 * Store {@link #size()} and {@link #hashes()} after each commit and restore with
 * {@link #of(long, List)}; a restored range continues exactly like the original.
 *
 * <h2>Nodes for proofs</h2>
 * {@link #append(byte[])} returns every perfect-subtree node the append completes: the new leaf at level 0
 * and each interior node merged on the way up. A log that stores all of them in a {@link NodeStore} can
 * build any inclusion or consistency proof with {@link ProofBuilder} without re-reading leaves.
 *
 * <p>Not thread-safe: a log has a single writer.
 */
public final class CompactRange {

    private final Rfc6962Hasher hasher = Rfc6962Hasher.SHA256;
    private final List<byte[]> hashes;
    private long size;

    private CompactRange(long size, List<byte[]> hashes) {
        this.size = size;
        this.hashes = hashes;
    }

    /** @return the compact range of the empty tree (size 0, no hashes). */
    public static CompactRange empty() {
        return new CompactRange(0, new ArrayList<>());
    }

    /**
     * Restores a compact range saved from {@link #size()} and {@link #hashes()}.
     *
     * @param size   number of leaves, {@code >= 0}
     * @param hashes the perfect-subtree roots left to right; exactly {@code Long.bitCount(size)} hashes of 32 bytes
     * @return the restored range (copies the hashes)
     * @throws IllegalArgumentException if the count or a hash length does not match
     */
    public static CompactRange of(long size, List<byte[]> hashes) {
        Objects.requireNonNull(hashes, "hashes");
        if (size < 0) {
            throw new IllegalArgumentException("size: " + size + " must be >= 0");
        }
        if (hashes.size() != Long.bitCount(size)) {
            throw new IllegalArgumentException("hashes: a compact range of size " + size + " has exactly "
                    + Long.bitCount(size) + " hashes (one per set bit of the size), got " + hashes.size());
        }
        List<byte[]> copy = new ArrayList<>(hashes.size());
        for (int i = 0; i < hashes.size(); i++) {
            byte[] h = Objects.requireNonNull(hashes.get(i), "hashes[" + i + "]");
            if (h.length != Rfc6962Hasher.SHA256.size()) {
                throw new IllegalArgumentException("hashes[" + i + "]: " + h.length + " bytes, must be 32");
            }
            copy.add(h.clone());
        }
        return new CompactRange(size, copy);
    }

    /**
     * Appends one leaf.
     *
     * @param leafHash the RFC 6962 leaf hash {@code SHA-256(0x00 || leaf)} (32 bytes), see {@link Rfc6962Hasher#hashLeaf}
     * @return the perfect-subtree nodes this append completes, bottom-up: first the leaf itself
     *         {@code (0, oldSize)}, then each merged interior node; store all of them for {@link ProofBuilder}
     * @throws IllegalArgumentException if {@code leafHash} is not 32 bytes
     */
    public List<TreeNode> append(byte[] leafHash) {
        Objects.requireNonNull(leafHash, "leafHash");
        if (leafHash.length != hasher.size()) {
            throw new IllegalArgumentException("leafHash: " + leafHash.length + " bytes, must be 32");
        }
        if (size == Long.MAX_VALUE >>> 1) {
            throw new IllegalStateException("tree is full at size " + size);
        }
        List<TreeNode> created = new ArrayList<>();
        byte[] hash = leafHash.clone();
        long index = size;
        int level = 0;
        created.add(new TreeNode(level, index, hash));
        // Each trailing one bit of the old size is a perfect subtree of the same height as the node being
        // carried up: merge them, exactly like a binary increment propagates its carry.
        while ((index & 1) == 1) {
            byte[] left = hashes.remove(hashes.size() - 1);
            hash = hasher.hashChildren(left, hash);
            index >>>= 1;
            level++;
            created.add(new TreeNode(level, index, hash));
        }
        hashes.add(hash);
        size++;
        return created;
    }

    /** @return the number of leaves, {@code [0, size)} */
    public long size() {
        return size;
    }

    /**
     * @return the RFC 6962 root hash MTH(D[size]): the empty root for size 0, otherwise the perfect-subtree
     *         roots folded right to left (32 bytes, a fresh array)
     */
    public byte[] root() {
        if (hashes.isEmpty()) {
            return hasher.emptyRoot();
        }
        byte[] hash = hashes.get(hashes.size() - 1).clone();
        for (int i = hashes.size() - 2; i >= 0; i--) {
            hash = hasher.hashChildren(hashes.get(i), hash);
        }
        return hash;
    }

    /** @return copies of the perfect-subtree roots, left to right — what {@link #of(long, List)} restores */
    public List<byte[]> hashes() {
        List<byte[]> copy = new ArrayList<>(hashes.size());
        for (byte[] h : hashes) {
            copy.add(h.clone());
        }
        return copy;
    }

    /** @return the perfect-subtree roots with their addresses, left to right */
    public List<TreeNode> nodes() {
        List<TreeNode> nodes = new ArrayList<>(hashes.size());
        long start = 0;
        int i = 0;
        for (int level = 62; level >= 0; level--) {
            if ((size & (1L << level)) != 0) {
                nodes.add(new TreeNode(level, start >>> level, hashes.get(i++)));
                start += 1L << level;
            }
        }
        return nodes;
    }

    @Override
    public String toString() {
        return "CompactRange[size=" + size + ", hashes=" + hashes.size() + "]";
    }
}
