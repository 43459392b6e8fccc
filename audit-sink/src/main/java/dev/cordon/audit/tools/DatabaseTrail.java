package dev.cordon.audit.tools;

import dev.cordon.audit.AuditEntry;
import dev.cordon.audit.EntryHasher;
import dev.cordon.audit.SignedCheckpoint;
import dev.cordon.audit.internal.EntryStore;
import dev.cordon.audit.internal.PgNodeStore;
import dev.cordon.audit.internal.TreeStore;
import dev.cordon.audit.merkle.CompactRange;
import dev.cordon.audit.merkle.NodeId;
import dev.cordon.audit.merkle.NodeStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The trail in PostgreSQL, read in one read-only {@code REPEATABLE READ} transaction (one consistent snapshot of
 * entries, tree and checkpoints). Any role with SELECT on the audit tables will do.
 */
public final class DatabaseTrail implements TrailSource {
    /** Rows per round trip when streaming entries. */
    public static final int FETCH_SIZE = 2_000;

    private final Connection c;
    private final String description;
    private final long fromSeq;
    private final long toSeq;
    private final List<SignedCheckpoint> checkpoints;
    private final List<TreeStore.CosignatureRow> cosignatures;
    private final List<String> keys;
    private final Map<String, String> payloadSchemas;
    private PreparedStatement stream;

    private DatabaseTrail(Connection c, String description, long fromSeq, long toSeq) throws SQLException {
        this.c = c;
        this.description = description;
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        this.checkpoints = TreeStore.checkpoints(c);
        this.cosignatures = TreeStore.cosignatures(c);
        this.keys = TreeStore.verifierKeys(c);
        this.payloadSchemas = dev.cordon.audit.internal.CanonicalAvro.registerSchemas(c);
        this.fromSeq = fromSeq;
        this.toSeq = toSeq;
    }

    /** @return the payload schemas of the trail ({@code payload_format} → Avro schema JSON) */
    public Map<String, String> payloadSchemas() {
        return payloadSchemas;
    }

    /** The whole trail. */
    public static DatabaseTrail open(DataSource ds) {
        return open(ds, 1, Long.MAX_VALUE);
    }

    /** Entries {@code fromSeq..toSeq} (inclusive). */
    public static DatabaseTrail open(DataSource ds, long fromSeq, long toSeq) {
        try {
            return new DatabaseTrail(ds.getConnection(), "database", fromSeq, toSeq);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit database: " + e.getMessage(), e);
        }
    }

    /** The whole trail at {@code jdbcUrl}. */
    public static DatabaseTrail open(String jdbcUrl, String user, String password) {
        try {
            return new DatabaseTrail(DriverManager.getConnection(jdbcUrl, user, password), "database " + jdbcUrl, 1,
                    Long.MAX_VALUE);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit database at " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    /** @return the connection of the snapshot (for proofs and exports) */
    public Connection connection() {
        return c;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public long startSize() {
        return fromSeq - 1;
    }

    @Override
    public CompactRange startRange() {
        return compactRangeAt(startSize());
    }

    /** @return the compact range of the tree of {@code size} entries, from stored nodes */
    public CompactRange compactRangeAt(long size) {
        List<NodeId> ids = new ArrayList<>();
        long start = 0;
        for (int level = 62; level >= 0; level--) {
            if ((size & (1L << level)) != 0) {
                ids.add(new NodeId(level, start >>> level));
                start += 1L << level;
            }
        }
        List<byte[]> hashes = nodes().getAll(ids);
        for (int i = 0; i < hashes.size(); i++) {
            if (hashes.get(i) == null) {
                throw new IllegalStateException("audit_tree_nodes: node (level=" + ids.get(i).level() + ", index="
                        + ids.get(i).index() + ") is missing; the tree does not cover " + size + " entries");
            }
        }
        return CompactRange.of(size, hashes);
    }

    @Override
    public byte[] startEntryHash() {
        return entryHash(startSize());
    }

    /** @return the stored {@code entry_hash} of entry {@code seq} (genesis for 0) */
    public byte[] entryHash(long seq) {
        if (seq == 0) {
            return EntryHasher.genesis();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT entry_hash FROM audit_entries WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("audit_entries: entry " + seq + " is missing");
                }
                return rs.getBytes(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public List<SignedCheckpoint> checkpoints() {
        return checkpoints;
    }

    @Override
    public List<TreeStore.CosignatureRow> cosignatures() {
        return cosignatures;
    }

    @Override
    public List<String> verifierKeys() {
        return keys;
    }

    @Override
    public Map<Long, byte[]> storedTreeRoots() {
        Map<Long, byte[]> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT tree_size, root_hash FROM audit_tree_heads ORDER BY tree_size");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getBytes(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read audit_tree_heads: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public NodeStore nodes() {
        return new PgNodeStore(c);
    }

    /** @return the entry {@code seq}, or {@code null} */
    public AuditEntry entry(long seq) {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + EntryStore.COLUMNS + " FROM audit_entries WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? EntryStore.read(rs) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** @return the entries of one session, in seq order */
    public List<AuditEntry> sessionEntries(String sessionId) {
        return select("session_id = ?", sessionId);
    }

    /** @return the entries naming a directive, in seq order */
    public List<AuditEntry> directiveEntries(String directiveId) {
        return select("directive_id = ? AND session_id IS NULL", directiveId);
    }

    /** @return the directive-level entries (no session) of one event type, in seq order */
    public List<AuditEntry> directiveEntriesOfType(String eventType) {
        return select("directive_id IS NOT NULL AND session_id IS NULL AND event_type = ?", eventType);
    }

    /** Entries matching {@code where} (one {@code ?} bound to {@code param}), in seq order. */
    private List<AuditEntry> select(String where, String param) {
        List<AuditEntry> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + EntryStore.COLUMNS + " FROM audit_entries WHERE " + where
                + " ORDER BY seq")) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                EntryStore.iterate(rs).forEachRemaining(out::add);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return out;
    }

    /** @return [first seq with recorded_at_ms ≥ from, last seq with recorded_at_ms ≤ to], or null when none */
    public long[] seqRange(long fromMs, long toMs) {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT min(seq), max(seq) FROM audit_entries WHERE recorded_at_ms BETWEEN ? AND ?")) {
            ps.setLong(1, fromMs);
            ps.setLong(2, toMs);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long a = rs.getLong(1);
                if (rs.wasNull()) {
                    return null;
                }
                return new long[] {a, rs.getLong(2)};
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** @return the last seq (0 when empty) */
    public long lastSeq() {
        try {
            return EntryStore.head(c).seq();
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public long expectedEntries() {
        return Math.max(0, Math.min(lastSeq(), toSeq) - startSize());
    }

    @Override
    public Iterator<AuditEntry> entries() {
        return entries(fromSeq, toSeq);
    }

    /** @return entries {@code from..to} (inclusive) in seq order, streamed; one stream open at a time */
    public Iterator<AuditEntry> entries(long from, long to) {
        try {
            if (stream != null) {
                stream.close();
            }
            stream = c.prepareStatement("SELECT " + EntryStore.COLUMNS
                    + " FROM audit_entries WHERE seq BETWEEN ? AND ? ORDER BY seq");
            stream.setLong(1, from);
            stream.setLong(2, to);
            stream.setFetchSize(FETCH_SIZE);
            return EntryStore.iterate(stream.executeQuery());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read audit_entries: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            if (stream != null) {
                stream.close();
            }
            c.rollback();
            c.close();
        } catch (SQLException e) {
            // closing a read-only snapshot: nothing to lose
        }
    }
}
