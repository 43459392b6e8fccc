package dev.cordon.audit.merkle;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A perfect-subtree node and its hash, as produced by {@link CompactRange#append(byte[])} and kept in a
 * {@link NodeStore}. Level 0 nodes are leaf hashes ({@code SHA-256(0x00 || leaf)}), higher levels are
 * interior nodes ({@code SHA-256(0x01 || left || right)}, RFC 6962 §2.1).
 *
 * @param level height, 0 = leaf
 * @param index position on the level
 * @param hash  the node hash, 32 bytes (copied in and out)
 */
public record TreeNode(int level, long index, byte[] hash) {

    /** Copies {@code hash}; validates the address like {@link NodeId}. */
    public TreeNode {
        new NodeId(level, index);
        hash = Objects.requireNonNull(hash, "hash").clone();
    }

    /** @return this node's address */
    public NodeId id() {
        return new NodeId(level, index);
    }

    /** @return a copy of the hash */
    @Override
    public byte[] hash() {
        return hash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TreeNode other && level == other.level && index == other.index
                && Arrays.equals(hash, other.hash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(level, index, Arrays.hashCode(hash));
    }

    @Override
    public String toString() {
        return "TreeNode[level=" + level + ", index=" + index + ", hash=" + HexFormat.of().formatHex(hash) + "]";
    }
}
