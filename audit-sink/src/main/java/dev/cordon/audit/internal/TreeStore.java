package dev.cordon.audit.internal;

import dev.cordon.audit.SignedCheckpoint;
import dev.cordon.audit.merkle.CompactRange;
import dev.cordon.audit.merkle.TreeNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * SQL on the V2 tables ({@code audit_tree_nodes}, {@code audit_tree_heads}, {@code audit_checkpoints},
 * {@code audit_signing_keys}, {@code audit_cosignatures}); every method runs on the caller's connection and
 * transaction.
 */
public final class TreeStore {
    private TreeStore() {
    }

    /** The compact range of the largest stored tree head; the empty range when none. */
    public static CompactRange head(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT tree_size, compact_range FROM audit_tree_heads ORDER BY tree_size DESC LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return CompactRange.empty();
            }
            return CompactRange.of(rs.getLong(1), split(rs.getBytes(2)));
        }
    }

    /** @return the stored tree heads (size, root) in size order, for the verifier */
    public static List<long[]> headSizes(Connection c) throws SQLException {
        List<long[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT tree_size FROM audit_tree_heads ORDER BY tree_size");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new long[] {rs.getLong(1)});
            }
        }
        return out;
    }

    /** @return root hash stored for a tree size, or {@code null} */
    public static byte[] headRoot(Connection c, long size) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT root_hash FROM audit_tree_heads WHERE tree_size = ?")) {
            ps.setLong(1, size);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
            }
        }
    }

    public static void insertHead(Connection c, CompactRange range, long nowMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_tree_heads (tree_size, root_hash, compact_range, recorded_at_ms) VALUES (?,?,?,?)")) {
            ps.setLong(1, range.size());
            ps.setBytes(2, range.root());
            ps.setBytes(3, join(range.hashes()));
            ps.setLong(4, nowMs);
            ps.executeUpdate();
        }
    }

    public static void insertNodes(Connection c, List<TreeNode> nodes) throws SQLException {
        if (nodes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_tree_nodes (level, idx, hash) VALUES (?,?,?)")) {
            for (TreeNode n : nodes) {
                ps.setShort(1, (short) n.level());
                ps.setLong(2, n.index());
                ps.setBytes(3, n.hash());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** @return {@code entry_hash} of entries {@code fromSeq..toSeq} (inclusive), in seq order */
    public static List<byte[]> entryHashes(Connection c, long fromSeq, long toSeq) throws SQLException {
        List<byte[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq, entry_hash FROM audit_entries WHERE seq BETWEEN ? AND ? ORDER BY seq")) {
            ps.setLong(1, fromSeq);
            ps.setLong(2, toSeq);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                long expect = fromSeq;
                while (rs.next()) {
                    if (rs.getLong(1) != expect) {
                        throw new SQLException("audit_entries: seq " + expect + " is missing; cannot extend the tree");
                    }
                    expect++;
                    out.add(rs.getBytes(2));
                }
            }
        }
        return out;
    }

    // ---- checkpoints ----

    private static final String CP_COLUMNS =
            "checkpoint_no, tree_size, root_hash, key_name, key_id, signed_at_ms, reason, note";

    public static SignedCheckpoint lastCheckpoint(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + CP_COLUMNS + " FROM audit_checkpoints ORDER BY checkpoint_no DESC LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? readCheckpoint(rs) : null;
        }
    }

    /** @return every checkpoint in {@code checkpoint_no} order */
    public static List<SignedCheckpoint> checkpoints(Connection c) throws SQLException {
        List<SignedCheckpoint> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + CP_COLUMNS + " FROM audit_checkpoints ORDER BY checkpoint_no");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(readCheckpoint(rs));
            }
        }
        return out;
    }

    private static SignedCheckpoint readCheckpoint(ResultSet rs) throws SQLException {
        return new SignedCheckpoint(rs.getLong(1), rs.getLong(2), rs.getBytes(3), rs.getString(4), rs.getLong(5),
                rs.getLong(6), rs.getString(7), rs.getString(8));
    }

    public static void insertCheckpoint(Connection c, SignedCheckpoint cp, String origin) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_checkpoints (" + CP_COLUMNS
                + ", origin) VALUES (?,?,?,?,?,?,?,?,?)")) {
            ps.setLong(1, cp.number());
            ps.setLong(2, cp.treeSize());
            ps.setBytes(3, cp.rootHash());
            ps.setString(4, cp.keyName());
            ps.setLong(5, cp.keyId());
            ps.setLong(6, cp.signedAtMs());
            ps.setString(7, cp.reason());
            ps.setString(8, cp.note());
            ps.setString(9, origin);
            ps.executeUpdate();
        }
    }

    public static void registerKey(Connection c, String verifierKey, String keyName, long keyId, long nowMs)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_signing_keys (verifier_key, key_name, key_id,"
                + " first_used_ms) VALUES (?,?,?,?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, verifierKey);
            ps.setString(2, keyName);
            ps.setLong(3, keyId);
            ps.setLong(4, nowMs);
            ps.executeUpdate();
        }
    }

    /** @return every verifier key that ever signed checkpoints, oldest first */
    public static List<String> verifierKeys(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT verifier_key FROM audit_signing_keys ORDER BY first_used_ms, verifier_key");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    // ---- cosignatures ----

    /** A witness cosignature row. */
    public record CosignatureRow(long treeSize, byte[] rootHash, String witnessName, long keyId, long cosignedAtS,
                                 String signatureLine) {
    }

    public static void insertCosignature(Connection c, CosignatureRow row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_cosignatures (tree_size, root_hash, "
                + "witness_name, key_id, cosigned_at_s, signature_line) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING")) {
            ps.setLong(1, row.treeSize());
            ps.setBytes(2, row.rootHash());
            ps.setString(3, row.witnessName());
            ps.setLong(4, row.keyId());
            ps.setLong(5, row.cosignedAtS());
            ps.setString(6, row.signatureLine());
            ps.executeUpdate();
        }
    }

    public static List<CosignatureRow> cosignatures(Connection c) throws SQLException {
        List<CosignatureRow> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT tree_size, root_hash, witness_name, key_id, cosigned_at_s,"
                + " signature_line FROM audit_cosignatures ORDER BY tree_size, witness_name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new CosignatureRow(rs.getLong(1), rs.getBytes(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                        rs.getString(6)));
            }
        }
        return out;
    }

    static List<byte[]> split(byte[] joined) {
        List<byte[]> out = new ArrayList<>(joined.length / 32);
        for (int i = 0; i < joined.length; i += 32) {
            out.add(Arrays.copyOfRange(joined, i, i + 32));
        }
        return out;
    }

    static byte[] join(List<byte[]> hashes) {
        byte[] out = new byte[hashes.size() * 32];
        for (int i = 0; i < hashes.size(); i++) {
            System.arraycopy(hashes.get(i), 0, out, i * 32, 32);
        }
        return out;
    }
}
