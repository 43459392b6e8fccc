package dev.cordon.audit.merkle;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link NodeStore} in a hash map, for tests, tools ({@code cordon audit verify} rebuilding a tree
 * offline) and small logs. Not thread-safe.
 */
public final class InMemoryNodeStore implements NodeStore {

    private final Map<NodeId, byte[]> nodes = new HashMap<>();

    /** Stores (or overwrites) one node. */
    public void put(TreeNode node) {
        Objects.requireNonNull(node, "node");
        nodes.put(node.id(), node.hash());
    }

    /** Stores the nodes, e.g. the result of {@link CompactRange#append(byte[])}. */
    public void putAll(Collection<TreeNode> created) {
        created.forEach(this::put);
    }

    @Override
    public byte[] get(int level, long index) {
        byte[] hash = nodes.get(new NodeId(level, index));
        return hash == null ? null : hash.clone();
    }

    /** @return the number of stored nodes */
    public int size() {
        return nodes.size();
    }
}
