package dev.cordon.audit.merkle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Builds RFC 9162 inclusion proofs (§2.1.3.1, "PATH") and consistency proofs (§2.1.4.1, "PROOF" /
 * "SUBPROOF") from the stored perfect-subtree nodes of a {@link NodeStore} — never from the leaves.
 *
 * <p>Every element of such a proof is the hash MTH(D[a:b]) of a subtree of the RFC's recursive split.
 * Where {@code [a, b)} is a perfect subtree it is a stored node. Otherwise it lies on the right edge of the
 * tree (an <em>ephemeral</em> node of a tree whose size is not a power of two): it is recomputed from the
 * stored perfect subtrees that cover {@code [a, b)}, largest first, folded right to left — the same fold as
 * {@link CompactRange#root()}. All node ids of a proof are read in one {@link NodeStore#getAll} call.
 *
 * <p>Proof elements are ordered as the RFC lists them (bottom-up), as {@link ProofVerifier} expects.
 * Stateless; the arguments are validated first.
 */
public final class ProofBuilder {

    private static final Rfc6962Hasher HASHER = Rfc6962Hasher.SHA256;

    private ProofBuilder() {
    }

    /**
     * The inclusion proof (audit path) of leaf {@code index} in the tree of the first {@code treeSize} leaves.
     *
     * @param index    leaf index, {@code 0 <= index < treeSize}
     * @param treeSize tree size, and every perfect node below it must be in {@code store}
     * @param store    the stored nodes
     * @return the proof hashes, bottom-up (empty for a tree of one leaf)
     * @throws IllegalArgumentException if the arguments are out of range
     * @throws NoSuchElementException   if a needed node is missing from the store (naming it)
     */
    public static List<byte[]> inclusionProof(long index, long treeSize, NodeStore store) {
        Objects.requireNonNull(store, "store");
        if (index < 0 || index >= treeSize) {
            throw new IllegalArgumentException("index: " + index + " must be in [0, treeSize=" + treeSize + ")");
        }
        // Walk down the RFC 9162 §2.1.3.1 recursion, recording the sibling subtree at each split.
        List<long[]> siblings = new ArrayList<>();
        long start = 0;
        long size = treeSize;
        long m = index;
        while (size > 1) {
            long k = largestPowerOfTwoBelow(size);
            if (m < k) {
                siblings.add(new long[] {start + k, start + size});
                size = k;
            } else {
                siblings.add(new long[] {start, start + k});
                start += k;
                m -= k;
                size -= k;
            }
        }
        Collections.reverse(siblings); // PATH lists the deepest sibling first
        return hashRanges(siblings, store);
    }

    /**
     * The consistency proof between the trees of the first {@code size1} and {@code size2} leaves.
     *
     * @param size1 the older size, {@code 0 <= size1 <= size2}; for {@code size1 == 0} or {@code size1 == size2}
     *              the proof is empty (RFC 9162 §2.1.4.1 defines proofs for {@code 0 < m < n})
     * @param size2 the newer size; every perfect node below it must be in {@code store}
     * @param store the stored nodes
     * @return the proof hashes, in RFC order
     * @throws IllegalArgumentException if the sizes are out of range
     * @throws NoSuchElementException   if a needed node is missing from the store
     */
    public static List<byte[]> consistencyProof(long size1, long size2, NodeStore store) {
        Objects.requireNonNull(store, "store");
        if (size1 < 0 || size1 > size2) {
            throw new IllegalArgumentException("size1: " + size1 + " must be in [0, size2=" + size2 + "]");
        }
        if (size1 == 0 || size1 == size2) {
            return new ArrayList<>();
        }
        // SUBPROOF(m, D[start:start+size], startedAtOldRoot), unrolled top-down.
        List<long[]> parts = new ArrayList<>();
        long start = 0;
        long size = size2;
        long m = size1;
        boolean oldRootIsWholeSubtree = true;
        while (m != size) {
            long k = largestPowerOfTwoBelow(size);
            if (m <= k) {
                parts.add(new long[] {start + k, start + size});
                size = k;
            } else {
                parts.add(new long[] {start, start + k});
                start += k;
                m -= k;
                size -= k;
                oldRootIsWholeSubtree = false;
            }
        }
        if (!oldRootIsWholeSubtree) {
            // The verifier knows the old root but not this inner subtree of it: it heads the proof.
            parts.add(new long[] {start, start + size});
        }
        Collections.reverse(parts);
        return hashRanges(parts, store);
    }

    /** Computes MTH(D[a:b]) of each range from stored perfect nodes, reading all of them in one batch. */
    private static List<byte[]> hashRanges(List<long[]> ranges, NodeStore store) {
        List<List<NodeId>> covers = new ArrayList<>(ranges.size());
        List<NodeId> all = new ArrayList<>();
        for (long[] range : ranges) {
            List<NodeId> cover = perfectCover(range[0], range[1]);
            covers.add(cover);
            all.addAll(cover);
        }
        List<byte[]> fetched = store.getAll(all);
        if (fetched.size() != all.size()) {
            throw new IllegalStateException("NodeStore.getAll returned " + fetched.size() + " hashes for "
                    + all.size() + " ids");
        }
        List<byte[]> proof = new ArrayList<>(ranges.size());
        int cursor = 0;
        for (List<NodeId> cover : covers) {
            byte[][] hashes = new byte[cover.size()][];
            for (int i = 0; i < cover.size(); i++, cursor++) {
                byte[] hash = fetched.get(cursor);
                if (hash == null) {
                    NodeId id = cover.get(i);
                    throw new NoSuchElementException("node (level=" + id.level() + ", index=" + id.index()
                            + ") covering leaves [" + id.firstLeaf() + ", " + id.endLeaf()
                            + ") is not in the NodeStore; store every node CompactRange.append returns");
                }
                hashes[i] = hash;
            }
            // Sizes decrease left to right, so the RFC split of [a, b) pairs the leftmost node with the
            // hash of everything to its right: fold from the right.
            byte[] hash = hashes[hashes.length - 1];
            for (int i = hashes.length - 2; i >= 0; i--) {
                hash = HASHER.hashChildren(hashes[i], hash);
            }
            proof.add(hash);
        }
        return proof;
    }

    /**
     * The perfect subtrees covering {@code [begin, end)}, left to right. In proofs {@code begin} is always a
     * multiple of the smallest power of two {@code >= end - begin}, so the sizes strictly decrease.
     */
    static List<NodeId> perfectCover(long begin, long end) {
        List<NodeId> cover = new ArrayList<>();
        long at = begin;
        while (at < end) {
            int maxByAlignment = at == 0 ? 62 : Long.numberOfTrailingZeros(at);
            int maxBySpan = 63 - Long.numberOfLeadingZeros(end - at);
            int level = Math.min(maxByAlignment, maxBySpan);
            cover.add(new NodeId(level, at >>> level));
            at += 1L << level;
        }
        return cover;
    }

    /** The largest power of two strictly smaller than {@code n} ({@code n >= 2}), the RFC's split point k. */
    static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }
}
