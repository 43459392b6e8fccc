package dev.cordon.audit.internal;

import dev.cordon.audit.merkle.NodeId;
import dev.cordon.audit.merkle.NodeStore;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link NodeStore} over {@code audit_tree_nodes}: a whole proof is read in one query
 * ({@link #getAll}). Uses the caller's connection; not thread-safe.
 */
public final class PgNodeStore implements NodeStore {
    private final Connection connection;

    public PgNodeStore(Connection connection) {
        this.connection = connection;
    }

    @Override
    public byte[] get(int level, long index) {
        return getAll(List.of(new NodeId(level, index))).get(0);
    }

    @Override
    public List<byte[]> getAll(List<NodeId> ids) {
        if (ids.isEmpty()) {
            return new ArrayList<>();
        }
        Short[] levels = new Short[ids.size()];
        Long[] idxs = new Long[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            levels[i] = (short) ids.get(i).level();
            idxs[i] = ids.get(i).index();
        }
        Map<NodeId, byte[]> found = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT n.level, n.idx, n.hash FROM audit_tree_nodes n "
                + "JOIN unnest(?::smallint[], ?::bigint[]) AS q(level, idx) ON n.level = q.level AND n.idx = q.idx")) {
            Array a1 = connection.createArrayOf("int2", levels);
            Array a2 = connection.createArrayOf("int8", idxs);
            ps.setArray(1, a1);
            ps.setArray(2, a2);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(new NodeId(rs.getShort(1), rs.getLong(2)), rs.getBytes(3));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read audit_tree_nodes: " + e.getMessage(), e);
        }
        List<byte[]> out = new ArrayList<>(ids.size());
        for (NodeId id : ids) {
            out.add(found.get(id));
        }
        return out;
    }
}
