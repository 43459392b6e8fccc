package dev.cordon.audit;

import dev.cordon.audit.internal.CanonicalAvro;
import dev.cordon.audit.internal.EntryStore;
import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Audit events and entries for the tests. */
final class TestEvents {
    static final String COMPONENT = "enforcement-stream";


    static AuditEvent event(String component, int partition, long sequence) {
        return event(component, partition, sequence, "s-" + sequence);
    }

    static AuditEvent event(String component, int partition, long sequence, String sessionId) {
        return AuditEvent.newBuilder()
                .setEventId(component + "/" + partition + "/" + sequence)
                .setType(AuditEventType.SESSION_REVOKED)
                .setComponent(component)
                .setSourcePartition(partition)
                .setSequence(sequence)
                .setOccurredAt(Instant.ofEpochMilli(1_795_000_000_000L + sequence))
                .setDirectiveId("BIS-2026-AI-001")
                .setDirectiveRevision(1)
                .setSessionId(sessionId)
                .setCommandId(null)
                .setDetails(Map.of("kind", "REVOKE", "attempt", "1"))
                .build();
    }

    /** An entry as the sink would build it (not yet chained). */
    static AuditEntry entry(long seq, AuditEvent e, long offset) {
        return new AuditEntry(seq, 1_795_000_100_000L + seq, e.getType().name(), e.getEventId(), e.getComponent(),
                e.getSourcePartition(), e.getSequence(), e.getOccurredAt().toEpochMilli(), e.getDirectiveId(),
                e.getSessionId(), "audit-log", 0, offset, 1_795_000_050_000L + seq,
                e.getSessionId() == null ? null : e.getSessionId().getBytes(),
                CanonicalAvro.PAYLOAD_FORMAT, CanonicalAvro.encode(e), null, null, null);
    }

    /** Appends {@code n} chained entries (origin enforcement-stream/0, sequences 1..n) as the service role. */
    static List<AuditEntry> appendChain(Connection service, int n) throws SQLException {
        List<AuditEntry> out = new ArrayList<>();
        byte[] prev = EntryHasher.genesis();
        for (int i = 1; i <= n; i++) {
            AuditEntry e = entry(i, event(COMPONENT, 0, i), i - 1).chainedAfter(prev);
            prev = e.entryHash();
            out.add(e);
        }
        service.setAutoCommit(false);
        EntryStore.insert(service, out);
        service.commit();
        return out;
    }

}
