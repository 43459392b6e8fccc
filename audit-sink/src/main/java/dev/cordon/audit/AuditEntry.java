package dev.cordon.audit;

import java.util.Objects;

/**
 * One row of {@code audit_entries}: an audited event as the audit sink stored it, with its place in
 * the hash chain. Field order is the order {@link EntryHasher} hashes them in.
 *
 * <p>Byte arrays are held as given (not copied); treat them as read-only. {@code equals} on a record
 * with arrays compares references: compare {@link #entryHash()} contents instead.
 *
 * @param seq              global sequence assigned by the sink: 1, 2, 3… without gaps
 * @param recordedAtMs     sink wall clock when the entry was stored, epoch milliseconds (UTC)
 * @param eventType        {@code AuditEventType} symbol, or {@code INPUT_UNREADABLE} for a record the
 *                         sink could not decode
 * @param eventId          {@code AuditEvent.eventId}; {@code null} for unreadable input
 * @param originComponent  producing component ({@code AuditEvent.component}); {@code null} for unreadable input
 * @param originPartition  source partition of the deciding task, {@code -1} where there is none; {@code null} for unreadable input
 * @param originSequence   per-(component, sourcePartition) sequence, from 1, gap-free; {@code null} for unreadable input
 * @param occurredAtMs     {@code AuditEvent.occurredAt}, epoch ms; {@code null} for unreadable input
 * @param directiveId      {@code AuditEvent.directiveId}, may be {@code null}
 * @param sessionId        {@code AuditEvent.sessionId}, may be {@code null}
 * @param kafkaTopic       provenance: topic the record was consumed from
 * @param kafkaPartition   provenance: partition
 * @param kafkaOffset      provenance: offset; (topic, partition, offset) is unique in the table
 * @param kafkaTimestampMs provenance: record timestamp, epoch ms
 * @param kafkaKey         provenance: raw record key bytes, may be {@code null}
 * @param payloadFormat    how to read {@code payload}: {@code avro:<16 hex digits>} (Avro binary without
 *                         Confluent framing of the {@code AuditEvent} schema whose CRC-64-AVRO parsing
 *                         fingerprint is given; schema text in {@code audit_payload_schemas}) or
 *                         {@code raw} (the undecodable record value as received)
 * @param payload          the canonical event bytes (see {@code payloadFormat}); never {@code null}
 * @param details          sink-side facts as JSON text (for unreadable input: the exception); may be {@code null}
 * @param prevHash         previous entry's {@code entryHash}; 32 zero bytes for seq 1
 * @param entryHash        SHA-256 as defined by {@link EntryHasher#hash(AuditEntry)}, 32 bytes
 */
public record AuditEntry(
        long seq,
        long recordedAtMs,
        String eventType,
        String eventId,
        String originComponent,
        Integer originPartition,
        Long originSequence,
        Long occurredAtMs,
        String directiveId,
        String sessionId,
        String kafkaTopic,
        int kafkaPartition,
        long kafkaOffset,
        long kafkaTimestampMs,
        byte[] kafkaKey,
        String payloadFormat,
        byte[] payload,
        String details,
        byte[] prevHash,
        byte[] entryHash) {

    /** Format of an unreadable record's payload: its raw value bytes. */
    public static final String PAYLOAD_FORMAT_RAW = "raw";
    /** Event type of an entry storing an unreadable record. */
    public static final String TYPE_INPUT_UNREADABLE = "INPUT_UNREADABLE";

    public AuditEntry {
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(kafkaTopic, "kafkaTopic");
        Objects.requireNonNull(payloadFormat, "payloadFormat");
        Objects.requireNonNull(payload, "payload");
    }

    /** @return a copy with another {@code seq} (same hashes); used to diagnose moved entries */
    public AuditEntry withSeq(long newSeq) {
        return new AuditEntry(newSeq, recordedAtMs, eventType, eventId, originComponent, originPartition,
                originSequence, occurredAtMs, directiveId, sessionId, kafkaTopic, kafkaPartition, kafkaOffset,
                kafkaTimestampMs, kafkaKey, payloadFormat, payload, details, prevHash, entryHash);
    }

    /** @return a copy chained after {@code newPrevHash}, with {@code entryHash} recomputed */
    public AuditEntry chainedAfter(byte[] newPrevHash) {
        AuditEntry unhashed = new AuditEntry(seq, recordedAtMs, eventType, eventId, originComponent,
                originPartition, originSequence, occurredAtMs, directiveId, sessionId, kafkaTopic, kafkaPartition,
                kafkaOffset, kafkaTimestampMs, kafkaKey, payloadFormat, payload, details, newPrevHash, null);
        return new AuditEntry(seq, recordedAtMs, eventType, eventId, originComponent, originPartition,
                originSequence, occurredAtMs, directiveId, sessionId, kafkaTopic, kafkaPartition, kafkaOffset,
                kafkaTimestampMs, kafkaKey, payloadFormat, payload, details, newPrevHash, EntryHasher.hash(unhashed));
    }
}
