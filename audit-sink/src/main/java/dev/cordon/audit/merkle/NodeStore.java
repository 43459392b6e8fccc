package dev.cordon.audit.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * Read access to the stored perfect-subtree nodes of a log, for {@link ProofBuilder}.
 *
 * <p>Which nodes must be stored: every {@link TreeNode} returned by {@link CompactRange#append(byte[])} —
 * that is every perfect subtree of the tree (leaf hashes at level 0 included). Ephemeral nodes on the
 * right edge of a tree whose size is not a power of two are never stored: {@link ProofBuilder} recombines
 * them from stored nodes. A tree of {@code n} leaves has fewer than {@code 2n} such nodes.
 */
public interface NodeStore {

    /**
     * @param level height (0 = leaf hash)
     * @param index position on the level
     * @return the 32-byte hash of node {@code (level, index)}, or {@code null} if it is not stored
     */
    byte[] get(int level, long index);

    /**
     * Batch read, so a database-backed store can fetch a whole proof in one query.
     *
     * @param ids node addresses
     * @return the hashes in the same order; an element is {@code null} where that node is not stored
     */
    default List<byte[]> getAll(List<NodeId> ids) {
        List<byte[]> out = new ArrayList<>(ids.size());
        for (NodeId id : ids) {
            out.add(get(id.level(), id.index()));
        }
        return out;
    }
}
