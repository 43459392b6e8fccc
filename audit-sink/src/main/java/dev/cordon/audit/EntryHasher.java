package dev.cordon.audit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The hash chain of the audit trail — the exact definition an auditor re-implements
 * (DESIGN.md "Audit trail"; chaining as in CloudTrail digest files, hashing with SHA-256 per FIPS 180-4).
 *
 * <h2>Definition</h2>
 * <pre>
 * entry_hash(n) = SHA-256( prev_hash(n) || layout(n) )
 * prev_hash(1)  = 32 zero bytes (genesis)
 * prev_hash(n)  = entry_hash(n-1)
 * </pre>
 * {@code layout(n)} is the concatenation, in this order, of the entry's columns (every column of
 * {@code audit_entries} except {@code prev_hash}, which precedes it, and {@code entry_hash} itself):
 * <pre>
 *  1 tag                 str        the ASCII text "cordon-audit-entry/v1" (layout version, domain separation)
 *  2 seq                 int64
 *  3 recorded_at_ms      int64
 *  4 event_type          str
 *  5 event_id            opt str
 *  6 origin_component    opt str
 *  7 origin_partition    opt int32
 *  8 origin_sequence     opt int64
 *  9 occurred_at_ms      opt int64
 * 10 directive_id        opt str
 * 11 session_id          opt str
 * 12 kafka_topic         str
 * 13 kafka_partition     int32
 * 14 kafka_offset        int64
 * 15 kafka_timestamp_ms  int64
 * 16 kafka_key           opt bytes
 * 17 payload_format      str
 * 18 payload             bytes      (canonical event: Avro binary of the AuditEvent, no Confluent framing)
 * 19 details             opt str
 * </pre>
 * Encodings: {@code int32}/{@code int64} are big-endian two's complement (4/8 bytes);
 * {@code bytes} is a 4-byte big-endian unsigned length followed by the bytes; {@code str} is the UTF-8
 * encoding as {@code bytes}; {@code opt X} is the single byte {@code 0x00} when absent (SQL NULL),
 * or {@code 0x01} followed by X. Times are epoch milliseconds UTC. Length prefixes make the
 * layout unambiguous: no two different entries share a layout.
 *
 * <p>What the chain proves and what it does not: any change to a covered column, a deleted,
 * inserted or reordered entry breaks the chain at that entry — unless whoever controls the database
 * recomputes every later hash. That rewrite is caught only by comparing with a checkpoint signed
 * earlier and kept by the auditor (the signed RFC 6962 checkpoints of {@link TreeLeaf} /
 * {@link dev.cordon.audit.tools.LogVerifier}, cosigned by witnesses), and partly by the per-origin sequence check
 * of {@link AuditVerifier}.
 */
public final class EntryHasher {
    /** Hash size in bytes (SHA-256). */
    public static final int HASH_BYTES = 32;
    /** Layout tag, hashed first; bump when the layout changes. */
    public static final String LAYOUT_TAG = "cordon-audit-entry/v1";

    private static final byte[] GENESIS = new byte[HASH_BYTES];

    private EntryHasher() {
    }

    /** @return a fresh copy of the genesis {@code prev_hash}: 32 zero bytes */
    public static byte[] genesis() {
        return GENESIS.clone();
    }

    /**
     * Computes {@code entry_hash} of an entry from its fields and its {@code prevHash}; the entry's own
     * {@code entryHash} is ignored.
     *
     * @param e the entry; {@code prevHash} must be 32 bytes
     * @return 32 bytes
     * @throws IllegalArgumentException if {@code prevHash} is not 32 bytes
     */
    public static byte[] hash(AuditEntry e) {
        Objects.requireNonNull(e, "entry");
        if (e.prevHash() == null || e.prevHash().length != HASH_BYTES) {
            throw new IllegalArgumentException("prevHash must be " + HASH_BYTES + " bytes, was "
                    + (e.prevHash() == null ? "null" : e.prevHash().length));
        }
        MessageDigest sha = sha256();
        sha.update(e.prevHash());
        sha.update(layout(e));
        return sha.digest();
    }

    /**
     * The byte layout hashed after {@code prev_hash} (see the class documentation).
     *
     * @param e the entry
     * @return the layout bytes
     */
    public static byte[] layout(AuditEntry e) {
        Layout out = new Layout();
        out.str(LAYOUT_TAG);
        out.int64(e.seq());
        out.int64(e.recordedAtMs());
        out.str(e.eventType());
        out.optStr(e.eventId());
        out.optStr(e.originComponent());
        out.optInt32(e.originPartition());
        out.optInt64(e.originSequence());
        out.optInt64(e.occurredAtMs());
        out.optStr(e.directiveId());
        out.optStr(e.sessionId());
        out.str(e.kafkaTopic());
        out.int32(e.kafkaPartition());
        out.int64(e.kafkaOffset());
        out.int64(e.kafkaTimestampMs());
        out.optBytes(e.kafkaKey());
        out.str(e.payloadFormat());
        out.bytes(e.payload());
        out.optStr(e.details());
        return out.toByteArray();
    }

    /** @return lower-case hex of {@code hash} */
    public static String hex(byte[] hash) {
        return HexFormat.of().formatHex(hash);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static final class Layout extends ByteArrayOutputStream {
        Layout() {
            super(256);
        }

        void int32(int v) {
            write(v >>> 24);
            write(v >>> 16);
            write(v >>> 8);
            write(v);
        }

        void int64(long v) {
            int32((int) (v >>> 32));
            int32((int) v);
        }

        void bytes(byte[] b) {
            int32(b.length);
            write(b, 0, b.length);
        }

        void str(String s) {
            bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        void optStr(String s) {
            if (present(s)) {
                str(s);
            }
        }

        void optBytes(byte[] b) {
            if (present(b)) {
                bytes(b);
            }
        }

        void optInt32(Integer v) {
            if (present(v)) {
                int32(v);
            }
        }

        void optInt64(Long v) {
            if (present(v)) {
                int64(v);
            }
        }

        private boolean present(Object o) {
            write(o == null ? 0 : 1);
            return o != null;
        }
    }
}
