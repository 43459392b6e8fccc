package dev.cordon.audit;

import dev.cordon.audit.internal.CanonicalAvro;
import dev.cordon.audit.internal.EntryStore;
import org.apache.avro.generic.GenericRecord;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import javax.sql.DataSource;

/**
 * Offline verification of the audit trail in PostgreSQL (DESIGN.md "Audit trail"). Reads
 * {@code audit_entries} in {@code seq} order in one read-only, repeatable-read transaction, streaming
 * ({@value #FETCH_SIZE} rows per round trip, constant memory apart from the per-origin bookkeeping),
 * and reports the first bad entry.
 *
 * <p>Checks, per entry {@code n}:
 * <ol>
 *   <li>{@code seq} is 1, 2, 3… — a missing number is a deleted entry ({@code deleted-entry});</li>
 *   <li>{@code prev_hash} equals the {@code entry_hash} of entry n-1 (32 zero bytes for n = 1); on a
 *       mismatch the verifier tells an inserted entry ({@code inserted-entry}: entry n links to n-2), a swap
 *       ({@code reordered}: entry n links to entry n+1) and other breaks ({@code broken-link});</li>
 *   <li>{@code entry_hash} equals the SHA-256 recomputed per {@link EntryHasher} — otherwise a covered
 *       column was changed ({@code modified-entry}; {@code reordered} when it was hashed under another seq);</li>
 *   <li>for Avro payloads of this build's schema, the origin/type/id columns agree with the payload
 *       ({@code payload-mismatch});</li>
 *   <li>per origin (component, source partition) the origin sequences are exactly 1…max, with no duplicate
 *       ({@code origin-duplicate}) and no gap ({@code origin-gap}). This catches an event deleted by
 *       someone who also recomputed every later hash.</li>
 * </ol>
 * Limits: someone with full control of the database can delete the tail, or rewrite history and
 * recompute the whole chain consistently; only comparison with a signed checkpoint kept by the auditor
 * detects that: the RFC 6962 tree and Ed25519 checkpoints, checked by
 * {@link dev.cordon.audit.tools.LogVerifier} ({@code cordon audit verify --state}) and by witnesses
 * ({@link dev.cordon.audit.tools.Witness}). Unreadable-input entries have no origin and are
 * covered by the chain only.
 */
public final class AuditVerifier {
    /** Rows fetched per round trip. */
    public static final int FETCH_SIZE = 1_000;
    /** The progress callback is called after every this many entries, and once at the end. */
    public static final int PROGRESS_EVERY = 10_000;

    private AuditVerifier() {
    }

    /**
     * @param dataSource any role with SELECT on {@code audit_entries}
     * @return the report
     * @throws IllegalStateException if the table cannot be read (message from the database)
     */
    public static VerifyReport verify(DataSource dataSource) {
        return verify(dataSource, n -> { });
    }

    /**
     * @param dataSource any role with SELECT on {@code audit_entries}
     * @param progress   called with the number of entries checked so far
     * @return the report
     * @throws IllegalStateException if the table cannot be read
     */
    public static VerifyReport verify(DataSource dataSource, LongConsumer progress) {
        Objects.requireNonNull(dataSource, "dataSource");
        try (Connection c = dataSource.getConnection()) {
            return verify(c, progress);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read audit_entries: " + e.getMessage(), e);
        }
    }

    /**
     * @param jdbcUrl  {@code jdbc:postgresql:…}
     * @param user     any role with SELECT on {@code audit_entries}
     * @param password its password
     * @param progress called with the number of entries checked so far
     * @return the report
     * @throws IllegalStateException if the database cannot be reached or read
     */
    public static VerifyReport verify(String jdbcUrl, String user, String password, LongConsumer progress) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            return verify(c, progress);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read audit_entries at " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    private static VerifyReport verify(Connection c, LongConsumer progress) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        CanonicalAvro.registerSchemas(c);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + EntryStore.COLUMNS + " FROM audit_entries ORDER BY seq")) {
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                return new Walk(EntryStore.iterate(rs), 0, EntryHasher.genesis(), true, e -> { }, progress).run();
            }
        } finally {
            c.rollback();
        }
    }

    /**
     * Checks the chain of a stream of entries — the same checks as {@link #verify(DataSource)} — for any source
     * (database, export bundle).
     *
     * @param entries      entries in the order stored (expected seq {@code startSeq + 1, startSeq + 2, …})
     * @param startSeq     seq of the entry before the first one (0 for a whole trail)
     * @param startHash    {@code entry_hash} of entry {@code startSeq} (genesis for 0)
     * @param checkOrigins whether to check per-origin sequences (only meaningful on a whole trail)
     * @param onGood       called with every entry found good, in order (e.g. to build the Merkle tree)
     * @param progress     called with the number of good entries so far
     * @return the report; {@code entries} counts the good entries of this stream
     * @throws IllegalStateException if reading the source fails
     */
    public static VerifyReport verifyChain(Iterator<AuditEntry> entries, long startSeq, byte[] startHash,
                                           boolean checkOrigins, Consumer<AuditEntry> onGood, LongConsumer progress) {
        try {
            return new Walk(entries, startSeq, startHash, checkOrigins, onGood, progress).run();
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** One pass over the rows with a one-row look-ahead. */
    private static final class Walk {
        private final Iterator<AuditEntry> rs;
        private final LongConsumer progress;
        private final Consumer<AuditEntry> onGood;
        private final boolean checkOrigins;
        private final long start;
        private final Map<String, Origin> origins = new HashMap<>();
        private long good;
        private byte[] head;
        private byte[] beforeHead;

        Walk(Iterator<AuditEntry> rs, long start, byte[] startHash, boolean checkOrigins, Consumer<AuditEntry> onGood,
             LongConsumer progress) {
            this.rs = rs;
            this.start = start;
            this.good = start;
            this.head = startHash.clone();
            this.checkOrigins = checkOrigins;
            this.onGood = onGood;
            this.progress = progress;
        }

        private AuditEntry next() throws SQLException {
            return rs.hasNext() ? rs.next() : null;
        }

        VerifyReport run() throws SQLException {
            AuditEntry cur = next();
            while (cur != null) {
                AuditEntry ahead = next();
                long expected = good + 1;
                long s = cur.seq();
                if (s != expected) {
                    return bad(expected, "deleted-entry: seq " + expected + (s - 1 > expected ? ".." + (s - 1) : "")
                            + " missing; the entry after seq " + good + " has seq " + s);
                }
                if (!Arrays.equals(cur.prevHash(), head)) {
                    if (beforeHead != null && Arrays.equals(cur.prevHash(), beforeHead)) {
                        return bad(s - 1, "inserted-entry: entry " + (s - 1) + " is not part of the original chain: entry "
                                + s + " links to the hash of entry " + (s - 2));
                    }
                    if (ahead != null && Arrays.equals(cur.prevHash(), ahead.entryHash())) {
                        return bad(s, "reordered: entries " + s + " and " + (s + 1) + " are swapped (entry " + s
                                + " links to the hash of entry " + (s + 1) + ")");
                    }
                    return bad(s, "broken-link: prev_hash of entry " + s + " does not match the hash of entry " + (s - 1)
                            + " (entry " + (s - 1) + " rewritten with a recomputed hash, or entries deleted, inserted or"
                            + " reordered and renumbered)");
                }
                if (!Arrays.equals(EntryHasher.hash(cur), cur.entryHash())) {
                    for (long other : new long[] {s + 1, s - 1}) {
                        if (other >= 1 && Arrays.equals(EntryHasher.hash(cur.withSeq(other)), cur.entryHash())) {
                            return bad(s, "reordered: entry " + s + " was hashed as entry " + other);
                        }
                    }
                    return bad(s, "modified-entry: the content of entry " + s
                            + " does not match its entry_hash (a covered column was changed)");
                }
                String payloadProblem = payloadMismatch(cur);
                if (payloadProblem != null) {
                    return bad(s, "payload-mismatch: entry " + s + ": " + payloadProblem);
                }
                String dup = checkOrigins ? trackOrigin(cur) : null;
                if (dup != null) {
                    return bad(s, dup);
                }
                beforeHead = head;
                head = cur.entryHash();
                good++;
                onGood.accept(cur);
                if ((good - start) % PROGRESS_EVERY == 0) {
                    progress.accept(good - start);
                }
                cur = ahead;
            }
            progress.accept(good - start);
            return originGaps();
        }

        private VerifyReport bad(long seq, String problem) {
            progress.accept(good - start);
            return new VerifyReport(false, good - start, EntryHasher.hex(head), seq, problem);
        }

        private String trackOrigin(AuditEntry e) {
            if (e.originComponent() == null) {
                return null;
            }
            String key = e.originComponent() + "/" + e.originPartition();
            Origin o = origins.computeIfAbsent(key, k -> new Origin());
            long q = e.originSequence();
            if (q <= o.contiguous || o.ahead.containsKey(q)) {
                return "origin-duplicate: entry " + e.seq() + " repeats origin " + key + " sequence " + q;
            }
            if (q == o.contiguous + 1) {
                o.contiguous++;
                while (!o.ahead.isEmpty() && o.ahead.firstKey() == o.contiguous + 1) {
                    o.ahead.pollFirstEntry();
                    o.contiguous++;
                }
            } else {
                o.ahead.put(q, e.seq());
            }
            return null;
        }

        private VerifyReport originGaps() {
            String worstKey = null;
            Origin worst = null;
            for (Map.Entry<String, Origin> en : origins.entrySet()) {
                Origin o = en.getValue();
                if (!o.ahead.isEmpty() && (worst == null
                        || o.ahead.firstEntry().getValue() < worst.ahead.firstEntry().getValue())) {
                    worst = o;
                    worstKey = en.getKey();
                }
            }
            if (worst == null) {
                return new VerifyReport(true, good - start, EntryHasher.hex(head), null, null);
            }
            var after = worst.ahead.firstEntry();
            long missing = worst.contiguous + 1;
            return new VerifyReport(false, good - start, EntryHasher.hex(head), after.getValue(),
                    "origin-gap: origin " + worstKey + " sequence " + missing
                            + (after.getKey() - 1 > missing ? ".." + (after.getKey() - 1) : "")
                            + " missing before entry " + after.getValue() + " (origin sequence " + after.getKey()
                            + "); the hash chain itself is intact, so an event was removed and the chain recomputed,"
                            + " or it was never stored — only a signed checkpoint (cordon audit verify --state) proves the chain was not rewritten");
        }
    }

    private static String payloadMismatch(AuditEntry e) {
        if (!CanonicalAvro.canDecode(e.payloadFormat())) {
            return null; // raw input, or a schema version not registered: covered by the hash only
        }
        GenericRecord ev;
        try {
            ev = CanonicalAvro.decode(e.payloadFormat(), e.payload());
        } catch (IOException | RuntimeException ex) {
            return "payload is not a valid " + e.payloadFormat() + " AuditEvent: " + ex.getMessage();
        }
        String[][] pairs = {
                {"eventId", e.eventId(), "event_id"},
                {"type", e.eventType(), "event_type"},
                {"component", e.originComponent(), "origin_component"},
                {"sourcePartition", str(e.originPartition()), "origin_partition"},
                {"sequence", str(e.originSequence()), "origin_sequence"},
                {"occurredAt", str(e.occurredAtMs()), "occurred_at_ms"},
                {"directiveId", e.directiveId(), "directive_id"},
                {"sessionId", e.sessionId(), "session_id"}};
        for (String[] p : pairs) {
            if (!Objects.equals(str(ev.get(p[0])), p[1])) {
                return p[2] + " column is '" + p[1] + "' but the payload says '" + ev.get(p[0]) + "'";
            }
        }
        return null;
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static final class Origin {
        long contiguous;
        final TreeMap<Long, Long> ahead = new TreeMap<>();
    }
}
