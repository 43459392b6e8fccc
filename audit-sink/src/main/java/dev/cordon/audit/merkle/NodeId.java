package dev.cordon.audit.merkle;

/**
 * The address of a perfect (complete) subtree of the log's Merkle tree: the node at height
 * {@code level} (0 = leaves) and horizontal position {@code index} on that level. It covers the
 * leaves {@code [index·2^level, (index+1)·2^level)} — the same addressing as transparency-dev/merkle
 * {@code compact.NodeID}.
 *
 * @param level height, 0..62
 * @param index position on the level, {@code >= 0}
 */
public record NodeId(int level, long index) {

    /** @throws IllegalArgumentException if {@code level} is outside 0..62 or {@code index} is negative */
    public NodeId {
        if (level < 0 || level > 62) {
            throw new IllegalArgumentException("level: " + level + " is outside 0..62");
        }
        if (index < 0) {
            throw new IllegalArgumentException("index: " + index + " must be >= 0");
        }
    }

    /** @return the first leaf index covered by this node (inclusive) */
    public long firstLeaf() {
        return index << level;
    }

    /** @return one past the last leaf index covered by this node (exclusive) */
    public long endLeaf() {
        return (index + 1) << level;
    }
}
