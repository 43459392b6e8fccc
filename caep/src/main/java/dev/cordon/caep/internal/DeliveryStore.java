package dev.cordon.caep.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * Durable delivery state in PostgreSQL (schema {@value #SCHEMA}, Flyway migrations in {@code db/caep}):
 * the signed SETs per receiver with their status, attempts and next attempt time, and the position in
 * revocation-commands. New SETs and the position that produced them are written in one transaction, so a
 * crash loses nothing (the records are read again) and duplicates nothing (the rows are keyed by a
 * deterministic {@code jti}; a re-read command inserts nothing). Times are the database's {@code now()}.
 *
 * <p>Claims ({@link #claimPush}, {@link #takeForPoll}) use {@code FOR UPDATE SKIP LOCKED} and move the row's
 * {@code next_attempt_at} forward in the same statement, so several transmitter instances on one database
 * never hand the same SET out twice at once.
 */
public final class DeliveryStore implements AutoCloseable {
    /** PostgreSQL schema of the tables. */
    public static final String SCHEMA = "cordon_caep";

    /** A SET to insert. */
    public record NewSet(String jti, String receiver, String commandId, String sessionId, String jws) {
    }

    /** A SET handed to a push attempt or a poll. {@code attempts} counts this one. */
    public record Claimed(long id, String jti, String receiver, String jws, int attempts) {
    }

    /** One row, for tests and operators. */
    public record Row(String jti, String receiver, String commandId, String status, int attempts, String lastError) {
    }

    private final HikariDataSource pool;
    private volatile CaepMetrics metrics;

    private DeliveryStore(HikariDataSource pool) {
        this.pool = pool;
    }

    /**
     * Migrates the schema and opens a pool.
     *
     * @throws IllegalStateException naming the URL when the database cannot be reached or migrated
     */
    public static DeliveryStore open(String jdbcUrl, String user, String password) {
        try {
            Flyway.configure()
                    .dataSource(jdbcUrl, user, password)
                    .schemas(SCHEMA)
                    .defaultSchema(SCHEMA)
                    .createSchemas(true)
                    .locations("classpath:db/caep")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw new IllegalStateException("CAEP delivery-state migration failed at " + jdbcUrl + ": " + e.getMessage(), e);
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(jdbcUrl);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(6);
        hc.setPoolName("cordon-caep");
        hc.setSchema(SCHEMA);
        hc.setAutoCommit(true);
        return new DeliveryStore(new HikariDataSource(hc));
    }

    /** Counts signed, delivered, failed and retried SETs in {@code metrics} from now on, and lets it read pending counts. */
    public void countIn(CaepMetrics metrics) {
        this.metrics = metrics;
        metrics.readFrom(this);
    }

    /** @return PENDING SETs per receiver (receivers without any are absent) */
    public Map<String, Long> pendingByReceiver() throws SQLException {
        Map<String, Long> out = new HashMap<>();
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT receiver, count(*) FROM set_delivery WHERE status = 'PENDING' GROUP BY receiver");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** @return stored next offsets by partition of {@code topic} (empty on first start) */
    public Map<Integer, Long> offsets(String topic) throws SQLException {
        Map<Integer, Long> out = new HashMap<>();
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT partition, next_offset FROM consumed_offsets WHERE topic = ?")) {
            ps.setString(1, topic);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /**
     * Inserts {@code sets} (ignoring any already present by {@code jti}) and records the next offsets, in one
     * transaction. An offset never moves backwards (two instances may race).
     *
     * @return how many SETs were new
     */
    public int append(Collection<NewSet> sets, String topic, Map<Integer, Long> nextOffsets) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                int inserted = 0;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO set_delivery (jti, receiver, command_id, session_id, set_jws) "
                        + "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                    for (NewSet s : sets) {
                        ps.setString(1, s.jti());
                        ps.setString(2, s.receiver());
                        ps.setString(3, s.commandId());
                        ps.setString(4, s.sessionId());
                        ps.setString(5, s.jws());
                        ps.addBatch();
                    }
                    for (int n : ps.executeBatch()) {
                        inserted += Math.max(n, 0);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO consumed_offsets (topic, partition, next_offset) VALUES (?, ?, ?) "
                        + "ON CONFLICT (topic, partition) DO UPDATE SET next_offset = GREATEST(consumed_offsets.next_offset, EXCLUDED.next_offset)")) {
                    for (Map.Entry<Integer, Long> e : nextOffsets.entrySet()) {
                        ps.setString(1, topic);
                        ps.setInt(2, e.getKey());
                        ps.setLong(3, e.getValue());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
                CaepMetrics m = metrics;
                if (m != null && inserted > 0) {
                    m.signed(inserted);
                }
                return inserted;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Claims up to {@code limit} due push SETs of {@code receivers} (oldest first), leasing them for
     * {@code leaseMs} (a crashed attempt is retried after the lease) and counting the attempt.
     */
    public List<Claimed> claimPush(Collection<String> receivers, int limit, long leaseMs) throws SQLException {
        if (receivers.isEmpty()) {
            return List.of();
        }
        return claim(receivers, limit, leaseMs);
    }

    /**
     * Takes up to {@code limit} SETs for a poll by {@code receiver}: pending ones not handed out within
     * {@code redeliveryMs}, oldest first; they are offered again after {@code redeliveryMs} unless acknowledged.
     */
    public List<Claimed> takeForPoll(String receiver, int limit, long redeliveryMs) throws SQLException {
        if (limit <= 0) {
            return List.of();
        }
        return claim(List.of(receiver), limit, redeliveryMs);
    }

    private List<Claimed> claim(Collection<String> receivers, int limit, long leaseMs) throws SQLException {
        String sql = "UPDATE set_delivery SET attempts = attempts + 1, next_attempt_at = now() + (? * interval '1 millisecond') "
                + "WHERE id IN (SELECT id FROM set_delivery WHERE status = 'PENDING' AND receiver = ANY(?)"
                + " AND next_attempt_at <= now() ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED) "
                + "RETURNING id, jti, receiver, set_jws, attempts";
        List<Claimed> out = new ArrayList<>();
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            Array array = c.createArrayOf("text", receivers.toArray());
            ps.setLong(1, leaseMs);
            ps.setArray(2, array);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Claimed(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5)));
                }
            }
        }
        out.sort((a, b) -> Long.compare(a.id(), b.id()));
        return out;
    }

    /** @return whether {@code receiver} has pending SETs offered now */
    public boolean hasAvailable(String receiver) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM set_delivery WHERE status = 'PENDING' "
                     + "AND receiver = ? AND next_attempt_at <= now())")) {
            ps.setString(1, receiver);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Marks a claimed SET delivered (push: 202; poll: acknowledged). @return whether a pending row changed */
    public boolean markDelivered(String receiver, String jti) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE set_delivery SET status = 'DELIVERED', delivered_at = now(), last_error = NULL "
                        + "WHERE receiver = ? AND jti = ? AND status = 'PENDING'")) {
            ps.setString(1, receiver);
            ps.setString(2, jti);
            boolean changed = ps.executeUpdate() > 0;
            CaepMetrics m = metrics;
            if (changed && m != null) {
                m.delivered(receiver);
            }
            return changed;
        }
    }

    /** Marks a SET failed for good (push: the receiver refused it; poll: reported in setErrs). */
    public boolean markFailed(String receiver, String jti, String error) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE set_delivery SET status = 'FAILED', last_error = ? WHERE receiver = ? AND jti = ? AND status = 'PENDING'")) {
            ps.setString(1, error);
            ps.setString(2, receiver);
            ps.setString(3, jti);
            boolean changed = ps.executeUpdate() > 0;
            CaepMetrics m = metrics;
            if (changed && m != null) {
                m.failed(receiver);
            }
            return changed;
        }
    }

    /** Schedules the next push attempt of a SET in {@code delayMs}, recording the error. */
    public boolean retryLater(String receiver, String jti, String error, long delayMs) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE set_delivery SET last_error = ?, next_attempt_at = now() + (? * interval '1 millisecond') "
                        + "WHERE receiver = ? AND jti = ? AND status = 'PENDING'")) {
            ps.setString(1, error);
            ps.setLong(2, delayMs);
            ps.setString(3, receiver);
            ps.setString(4, jti);
            boolean changed = ps.executeUpdate() > 0;
            CaepMetrics m = metrics;
            if (changed && m != null) {
                m.retried(receiver);
            }
            return changed;
        }
    }

    /** @return milliseconds until the next pending SET of {@code receivers} is due (0 when one is due now; -1 when none) */
    public long millisUntilNextDue(Collection<String> receivers) throws SQLException {
        if (receivers.isEmpty()) {
            return -1;
        }
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT GREATEST(0, CEIL(EXTRACT(EPOCH FROM (MIN(next_attempt_at) - now())) * 1000)) "
                     + "FROM set_delivery WHERE status = 'PENDING' AND receiver = ANY(?)")) {
            ps.setArray(1, c.createArrayOf("text", receivers.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long v = rs.getLong(1);
                return rs.wasNull() ? -1 : v;
            }
        }
    }

    /** @return every row, in insertion order (tests, diagnostics) */
    public List<Row> rows() throws SQLException {
        List<Row> out = new ArrayList<>();
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT jti, receiver, command_id, status, attempts, last_error FROM set_delivery ORDER BY id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6)));
            }
        }
        return out;
    }

    @Override
    public void close() {
        pool.close();
    }
}
