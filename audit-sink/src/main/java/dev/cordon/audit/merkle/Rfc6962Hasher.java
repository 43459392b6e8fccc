package dev.cordon.audit.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The Merkle tree hash of RFC 6962 §2.1 (restated in RFC 9162 §2.1.1) with SHA-256.
 *
 * <pre>
 * MTH({})       = SHA-256()                       ({@link #emptyRoot()})
 * leaf hash     = SHA-256(0x00 || leaf bytes)     ({@link #hashLeaf(byte[])})
 * interior node = SHA-256(0x01 || left || right)  ({@link #hashChildren(byte[], byte[])})
 * </pre>
 * The distinct {@code 0x00}/{@code 0x01} prefixes give domain separation between leaves and interior
 * nodes (second-preimage resistance, RFC 6962 §2.1). Stateless and thread-safe; every hash is
 * {@link #size()} = 32 bytes.
 */
public final class Rfc6962Hasher {

    /** The shared instance (the class is stateless). */
    public static final Rfc6962Hasher SHA256 = new Rfc6962Hasher();

    /** Domain-separation prefix of a leaf hash (RFC 6962 §2.1). */
    public static final byte LEAF_PREFIX = 0x00;
    /** Domain-separation prefix of an interior node hash (RFC 6962 §2.1). */
    public static final byte NODE_PREFIX = 0x01;

    private static final int SIZE = 32;
    private static final byte[] EMPTY_ROOT = newDigest().digest();

    private Rfc6962Hasher() {
    }

    /** @return the root of the empty tree, {@code SHA-256()} = {@code e3b0c442…b855} (a fresh copy). */
    public byte[] emptyRoot() {
        return EMPTY_ROOT.clone();
    }

    /**
     * @param leaf the leaf's bytes (any length, may be empty)
     * @return {@code SHA-256(0x00 || leaf)}, 32 bytes
     */
    public byte[] hashLeaf(byte[] leaf) {
        Objects.requireNonNull(leaf, "leaf");
        MessageDigest digest = newDigest();
        digest.update(LEAF_PREFIX);
        digest.update(leaf);
        return digest.digest();
    }

    /**
     * @param left  hash of the left child (normally 32 bytes; any length is hashed as given)
     * @param right hash of the right child
     * @return {@code SHA-256(0x01 || left || right)}, 32 bytes
     */
    public byte[] hashChildren(byte[] left, byte[] right) {
        Objects.requireNonNull(left, "left");
        Objects.requireNonNull(right, "right");
        MessageDigest digest = newDigest();
        digest.update(NODE_PREFIX);
        digest.update(left);
        digest.update(right);
        return digest.digest();
    }

    /** @return the hash length in bytes: 32. */
    public int size() {
        return SIZE;
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
