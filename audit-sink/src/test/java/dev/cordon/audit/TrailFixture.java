package dev.cordon.audit;

import dev.cordon.audit.internal.Checkpointer;
import dev.cordon.audit.internal.EntryStore;
import dev.cordon.audit.internal.SinkLoop;
import dev.cordon.audit.merkle.CompactRange;
import dev.cordon.audit.merkle.NoteKeys;
import dev.cordon.avro.AuditEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Builds a trail in a real database exactly as the sink does (entries, tree nodes, tree heads and a signed
 * checkpoint per batch, in one transaction per batch), and applies attacks as the table owner with the triggers
 * disabled ({@code session_replication_role = replica}).
 */
final class TrailFixture {
    static final String ORIGIN = "cordon.test/audit";
    static final CheckpointKeys.KeyMaterial KEY = CheckpointKeys.generate(ORIGIN, NoteKeys.TYPE_ED25519);

    private TrailFixture() {
    }

    /** Appends {@code batches} batches of {@code perBatch} entries, each batch followed by a checkpoint. */
    static void build(TestDatabase.Db db, int batches, int perBatch) throws SQLException {
        build(db, batches, perBatch, i -> TestEvents.event(TestEvents.COMPONENT, 0, i));
    }

    static void build(TestDatabase.Db db, int batches, int perBatch, IntFunction<AuditEvent> events) throws SQLException {
        Checkpointer cp = new Checkpointer(ORIGIN, KEY.signer(), KEY.verifierKey(), 60_000);
        try (Connection c = db.serviceConnection()) {
            for (int b = 0; b < batches; b++) {
                appendBatch(c, cp, perBatch, events, true);
            }
        }
    }

    static void appendBatch(Connection c, Checkpointer cp, int n, IntFunction<AuditEvent> events, boolean sign)
            throws SQLException {
        c.setAutoCommit(false);
        EntryStore.lockWriter(c);
        EntryStore.Head head = EntryStore.head(c);
        byte[] prev = head.hash();
        List<AuditEntry> entries = new ArrayList<>();
        for (long seq = head.seq() + 1; seq <= head.seq() + n; seq++) {
            AuditEntry e = TestEvents.entry(seq, events.apply((int) seq), seq - 1).chainedAfter(prev);
            prev = e.entryHash();
            entries.add(e);
        }
        EntryStore.insert(c, entries);
        CompactRange tree = SinkLoop.extendTree(c, head.seq(), entries, 1_795_000_000_000L + head.seq());
        if (sign) {
            cp.maybeSign(c, tree, true, 1_795_000_000_000L + tree.size());
        }
        c.commit();
    }

    interface SqlWork {
        void run(Connection c) throws SQLException;
    }

    /** Runs {@code work} as the table owner with the append-only triggers disabled for the session. */
    static void asAttacker(TestDatabase.Db db, SqlWork work) throws SQLException {
        try (Connection c = db.ownerConnection()) {
            c.setAutoCommit(false);
            exec(c, "SET session_replication_role = replica");
            work.run(c);
            c.commit();
        }
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static List<AuditEntry> readAll(Connection c) throws SQLException {
        List<AuditEntry> all = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + EntryStore.COLUMNS + " FROM audit_entries ORDER BY seq")) {
            while (rs.next()) {
                all.add(EntryStore.read(rs));
            }
        }
        return all;
    }

    /**
     * The operator's full rewrite: entry {@code seq} gets another session id in column and payload, every later
     * hash is recomputed, the tree is rebuilt and every checkpoint re-signed with the same key at the same sizes.
     */
    static void rewriteAndResign(TestDatabase.Db db, long seq) throws SQLException {
        asAttacker(db, c -> {
            List<AuditEntry> all = readAll(c);
            List<long[]> sizes = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT tree_size FROM audit_checkpoints ORDER BY checkpoint_no")) {
                while (rs.next()) {
                    sizes.add(new long[] {rs.getLong(1)});
                }
            }
            for (String t : List.of("audit_entries", "audit_tree_nodes", "audit_tree_heads", "audit_checkpoints")) {
                exec(c, "DELETE FROM " + t);
            }
            Checkpointer cp = new Checkpointer(ORIGIN, KEY.signer(), KEY.verifierKey(), 60_000);
            byte[] prev = EntryHasher.genesis();
            int at = 0;
            for (long[] size : sizes) {
                List<AuditEntry> batch = new ArrayList<>();
                long before = at;
                for (; at < size[0]; at++) {
                    AuditEntry e = all.get(at);
                    if (e.seq() == seq) {
                        AuditEvent forged = TestEvents.event(TestEvents.COMPONENT, 0, seq, "s-forged");
                        e = TestEvents.entry(seq, forged, e.kafkaOffset());
                    }
                    AuditEntry r = e.chainedAfter(prev);
                    prev = r.entryHash();
                    batch.add(r);
                }
                EntryStore.insert(c, batch);
                CompactRange tree = SinkLoop.extendTree(c, before, batch, 1L);
                cp.maybeSign(c, tree, true, 2L + at);
            }
        });
    }

    static void updateNote(TestDatabase.Db db, long checkpointNo, String note) throws SQLException {
        asAttacker(db, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE audit_checkpoints SET note = ? WHERE checkpoint_no = ?")) {
                ps.setString(1, note);
                ps.setLong(2, checkpointNo);
                ps.executeUpdate();
            }
        });
    }
}
