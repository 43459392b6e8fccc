package dev.cordon.audit.merkle;

import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * Pure verification of RFC 9162 proofs: inclusion (§2.1.3.2) and consistency (§2.1.4.2). These are the
 * functions an auditor runs offline ({@code cordon audit verify}); they trust nothing but their arguments.
 * Each check returns a typed {@link ProofResult} and never throws for bad input (only for {@code null}).
 *
 * <p>The proof length is checked up front against the length the sizes imply, so truncated or padded
 * proofs fail with {@link ProofResult.WrongProofLength} rather than a root mismatch.
 */
public final class ProofVerifier {

    private static final Rfc6962Hasher HASHER = Rfc6962Hasher.SHA256;
    private static final int HASH_SIZE = 32;

    private ProofVerifier() {
    }

    /**
     * Verifies that the leaf with hash {@code leafHash} is at {@code index} in the tree of size {@code treeSize}
     * with root {@code root} (RFC 9162 §2.1.3.2).
     *
     * @param index    leaf index, must be {@code < treeSize}
     * @param treeSize the tree size
     * @param leafHash the leaf hash {@code SHA-256(0x00 || leaf)}, 32 bytes
     * @param proof    the inclusion proof, bottom-up
     * @param root     the expected root hash of the tree of {@code treeSize}
     * @return {@link ProofResult.Valid} or the failure
     */
    public static ProofResult verifyInclusion(long index, long treeSize, byte[] leafHash, List<byte[]> proof,
            byte[] root) {
        Objects.requireNonNull(root, "root");
        if (root.length != HASH_SIZE) {
            return new ProofResult.WrongHashLength("root", HASH_SIZE, root.length);
        }
        byte[] calculated;
        try {
            calculated = rootFromInclusionProof(index, treeSize, leafHash, proof);
        } catch (ProofVerificationException e) {
            return e.failure();
        }
        return match("root", root, calculated);
    }

    /**
     * Computes the root a valid inclusion proof implies (RFC 9162 §2.1.3.2 steps 1–5, without the final
     * comparison), for callers that compare against a root from elsewhere (a checkpoint).
     *
     * @return the 32-byte root hash
     * @throws ProofVerificationException with {@link ProofResult.InvalidArgument}, {@link ProofResult.WrongHashLength}
     *                                    or {@link ProofResult.WrongProofLength}
     */
    public static byte[] rootFromInclusionProof(long index, long treeSize, byte[] leafHash, List<byte[]> proof) {
        Objects.requireNonNull(leafHash, "leafHash");
        Objects.requireNonNull(proof, "proof");
        if (index < 0 || index >= treeSize) {
            throw fail(new ProofResult.InvalidArgument("index",
                    "index: " + index + " must be in [0, treeSize=" + treeSize + ")"));
        }
        if (leafHash.length != HASH_SIZE) {
            throw fail(new ProofResult.WrongHashLength("leafHash", HASH_SIZE, leafHash.length));
        }
        checkProofHashes(proof);
        int expected = inclusionProofLength(index, treeSize);
        if (proof.size() != expected) {
            throw fail(new ProofResult.WrongProofLength(expected, proof.size()));
        }
        long fn = index;
        long sn = treeSize - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if ((fn & 1) == 1 || fn == sn) {
                r = HASHER.hashChildren(p, r);
                // On the right edge the node has no right sibling at this level: climb until it is a right child.
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                r = HASHER.hashChildren(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return r;
    }

    /**
     * Verifies that the tree of size {@code size2} with root {@code root2} extends the tree of size
     * {@code size1} with root {@code root1} (RFC 9162 §2.1.4.2): nothing in the first {@code size1} leaves
     * was altered, removed or reordered.
     *
     * <p>Edge cases: {@code size1 == size2} needs an empty proof and {@code root1 == root2};
     * {@code size1 == 0} needs an empty proof and {@code root1} equal to the empty-tree root (every tree extends
     * the empty tree).
     *
     * @return {@link ProofResult.Valid} or the failure ({@code RootMismatch.field} says which root failed)
     */
    public static ProofResult verifyConsistency(long size1, long size2, List<byte[]> proof, byte[] root1,
            byte[] root2) {
        Objects.requireNonNull(proof, "proof");
        Objects.requireNonNull(root1, "root1");
        Objects.requireNonNull(root2, "root2");
        if (size1 < 0 || size1 > size2) {
            return new ProofResult.InvalidArgument("size1",
                    "size1: " + size1 + " must be in [0, size2=" + size2 + "]; a log never shrinks");
        }
        if (root1.length != HASH_SIZE) {
            return new ProofResult.WrongHashLength("root1", HASH_SIZE, root1.length);
        }
        if (root2.length != HASH_SIZE) {
            return new ProofResult.WrongHashLength("root2", HASH_SIZE, root2.length);
        }
        ProofResult.Failure badHash = proofHashFailure(proof);
        if (badHash != null) {
            return badHash;
        }
        if (size1 == size2) {
            if (!proof.isEmpty()) {
                return new ProofResult.WrongProofLength(0, proof.size());
            }
            return match("root2", root1, root2);
        }
        if (size1 == 0) {
            if (!proof.isEmpty()) {
                return new ProofResult.WrongProofLength(0, proof.size());
            }
            return match("root1", HASHER.emptyRoot(), root1);
        }
        boolean oldTreeIsPerfect = Long.bitCount(size1) == 1;
        int pathLength = consistencyPathLength(size1, size2);
        int expected = oldTreeIsPerfect ? pathLength - 1 : pathLength;
        if (proof.size() != expected) {
            return new ProofResult.WrongProofLength(expected, proof.size());
        }
        // Step 2: a perfect old tree is itself the first node of the path.
        int next = 0;
        byte[] seed = oldTreeIsPerfect ? root1 : proof.get(next++);
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        byte[] fr = seed;
        byte[] sr = seed;
        for (; next < proof.size(); next++) {
            byte[] c = proof.get(next);
            if ((fn & 1) == 1 || fn == sn) {
                fr = HASHER.hashChildren(c, fr);
                sr = HASHER.hashChildren(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                sr = HASHER.hashChildren(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        ProofResult first = match("root1", root1, fr);
        if (!first.isValid()) {
            return first;
        }
        return match("root2", root2, sr);
    }

    /** The number of hashes in the inclusion proof of {@code index} in a tree of {@code treeSize}. */
    static int inclusionProofLength(long index, long treeSize) {
        long fn = index;
        long sn = treeSize - 1;
        int length = 0;
        while (sn != 0) {
            if ((fn & 1) == 0 && fn == sn) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            }
            fn >>>= 1;
            sn >>>= 1;
            length++;
        }
        return length;
    }

    /** The length of the RFC 9162 §2.1.4.2 path, counting the prepended old root of a perfect old tree. */
    static int consistencyPathLength(long size1, long size2) {
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        int length = 1;
        while (sn != 0) {
            if ((fn & 1) == 0 && fn == sn) {
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            }
            fn >>>= 1;
            sn >>>= 1;
            length++;
        }
        return length;
    }

    private static void checkProofHashes(List<byte[]> proof) {
        ProofResult.Failure failure = proofHashFailure(proof);
        if (failure != null) {
            throw fail(failure);
        }
    }

    private static ProofResult.Failure proofHashFailure(List<byte[]> proof) {
        for (int i = 0; i < proof.size(); i++) {
            byte[] p = Objects.requireNonNull(proof.get(i), "proof[" + i + "]");
            if (p.length != HASH_SIZE) {
                return new ProofResult.WrongHashLength("proof[" + i + "]", HASH_SIZE, p.length);
            }
        }
        return null;
    }

    private static ProofResult match(String field, byte[] expected, byte[] calculated) {
        // Constant-time comparison: not needed for public hashes, but costs nothing.
        if (MessageDigest.isEqual(expected, calculated)) {
            return new ProofResult.Valid();
        }
        return new ProofResult.RootMismatch(field, expected, calculated);
    }

    private static ProofVerificationException fail(ProofResult.Failure failure) {
        return new ProofVerificationException(failure);
    }
}
