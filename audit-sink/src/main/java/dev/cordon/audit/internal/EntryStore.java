package dev.cordon.audit.internal;

import dev.cordon.audit.AuditEntry;
import dev.cordon.audit.EntryHasher;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/** SQL on {@code audit_entries}; all methods run on the caller's connection and transaction. */
public final class EntryStore {
    /** Columns in {@link AuditEntry} order. */
    public static final String COLUMNS = "seq, recorded_at_ms, event_type, event_id, origin_component, origin_partition, "
            + "origin_sequence, occurred_at_ms, directive_id, session_id, kafka_topic, kafka_partition, kafka_offset, "
            + "kafka_timestamp_ms, kafka_key, payload_format, payload, details, prev_hash, entry_hash";

    /** Advisory lock key serialising writers (one writer at a time assigns seq = max + 1). */
    private static final long WRITER_LOCK_KEY = 0x636f72646f6e_01L;

    private EntryStore() {
    }

    /** Head of the chain: last seq and its hash; {@code (0, genesis)} when empty. */
    public record Head(long seq, byte[] hash) {
    }

    /** Blocks until this transaction is the only writer; released at commit/rollback. */
    public static void lockWriter(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, WRITER_LOCK_KEY);
            ps.executeQuery().close();
        }
    }

    public static Head head(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq, entry_hash FROM audit_entries ORDER BY seq DESC LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? new Head(rs.getLong(1), rs.getBytes(2)) : new Head(0, EntryHasher.genesis());
        }
    }

    /** @return highest stored offset of {@code topic}/{@code partition}, or -1 */
    public static long maxOffset(Connection c, String topic, int partition) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT max(kafka_offset) FROM audit_entries WHERE kafka_topic = ? AND kafka_partition = ?")) {
            ps.setString(1, topic);
            ps.setInt(2, partition);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long v = rs.getLong(1);
                return rs.wasNull() ? -1 : v;
            }
        }
    }

    public static void recordPayloadSchema(Connection c, String format, String schemaJson) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_payload_schemas (payload_format, schema_json) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, format);
            ps.setString(2, schemaJson);
            ps.executeUpdate();
        }
    }

    public static void insert(Connection c, List<AuditEntry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO audit_entries (" + COLUMNS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            for (AuditEntry e : entries) {
                bind(ps, e);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Binds all 20 columns of {@code e} in {@link #COLUMNS} order. */
    public static void bind(PreparedStatement ps, AuditEntry e) throws SQLException {
        int i = 1;
        ps.setLong(i++, e.seq());
        ps.setLong(i++, e.recordedAtMs());
        ps.setString(i++, e.eventType());
        ps.setString(i++, e.eventId());
        ps.setString(i++, e.originComponent());
        setInt(ps, i++, e.originPartition());
        setLong(ps, i++, e.originSequence());
        setLong(ps, i++, e.occurredAtMs());
        ps.setString(i++, e.directiveId());
        ps.setString(i++, e.sessionId());
        ps.setString(i++, e.kafkaTopic());
        ps.setInt(i++, e.kafkaPartition());
        ps.setLong(i++, e.kafkaOffset());
        ps.setLong(i++, e.kafkaTimestampMs());
        ps.setBytes(i++, e.kafkaKey());
        ps.setString(i++, e.payloadFormat());
        ps.setBytes(i++, e.payload());
        ps.setString(i++, e.details());
        ps.setBytes(i++, e.prevHash());
        ps.setBytes(i, e.entryHash());
    }

    /**
     * Streams the rows of an open result set as entries, with a one-row look-ahead. The caller owns (and
     * closes) the statement; a read failure surfaces as {@link IllegalStateException}.
     *
     * @param rs rows selected with {@link #COLUMNS}
     * @return an iterator over them, in the result set's order
     */
    public static java.util.Iterator<AuditEntry> iterate(ResultSet rs) {
        return new java.util.Iterator<>() {
            private AuditEntry next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    try {
                        if (rs.next()) {
                            next = read(rs);
                        } else {
                            done = true;
                        }
                    } catch (SQLException e) {
                        throw new IllegalStateException("cannot read audit_entries: " + e.getMessage(), e);
                    }
                }
                return next != null;
            }

            @Override
            public AuditEntry next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                AuditEntry e = next;
                next = null;
                return e;
            }
        };
    }

    /** Reads the current row of a result set selecting {@link #COLUMNS}. */
    public static AuditEntry read(ResultSet rs) throws SQLException {
        return new AuditEntry(
                rs.getLong(1),
                rs.getLong(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getObject(6, Integer.class),
                rs.getObject(7, Long.class),
                rs.getObject(8, Long.class),
                rs.getString(9),
                rs.getString(10),
                rs.getString(11),
                rs.getInt(12),
                rs.getLong(13),
                rs.getLong(14),
                rs.getBytes(15),
                rs.getString(16),
                rs.getBytes(17),
                rs.getString(18),
                rs.getBytes(19),
                rs.getBytes(20));
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }
}
