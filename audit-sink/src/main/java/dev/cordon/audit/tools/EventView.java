package dev.cordon.audit.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.AuditEntry;
import dev.cordon.audit.internal.CanonicalAvro;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;

/**
 * The decoded {@code AuditEvent} of an entry (its canonical Avro payload), as replay and why read it.
 *
 * @param seq               the entry's seq
 * @param type              {@code AuditEventType} symbol
 * @param component         producing component
 * @param occurredAtMs      decision wall clock, epoch ms
 * @param directiveId       may be null
 * @param directiveRevision may be null
 * @param sessionId         may be null
 * @param commandId         may be null
 * @param details           type-specific facts
 */
public record EventView(long seq, String type, String component, long occurredAtMs, String directiveId,
                        Integer directiveRevision, String sessionId, String commandId, Map<String, String> details) {

    /**
     * @return the decoded event (read with the writer schema of its payload format: this build's, or one registered
     *         from the trail by {@link DatabaseTrail} / {@link Bundle}), or {@code null} for raw/unknown payloads
     */
    public static EventView of(AuditEntry e) {
        if (!CanonicalAvro.canDecode(e.payloadFormat())) {
            return null;
        }
        GenericRecord r;
        try {
            r = CanonicalAvro.decode(e.payloadFormat(), e.payload());
        } catch (Exception ex) {
            return null;
        }
        Map<String, String> details = new LinkedHashMap<>();
        Object d = r.get("details");
        if (d instanceof Map<?, ?> m) {
            m.forEach((k, v) -> details.put(String.valueOf(k), String.valueOf(v)));
        }
        Object rev = r.get("directiveRevision");
        return new EventView(e.seq(), String.valueOf(r.get("type")), String.valueOf(r.get("component")),
                ((Number) r.get("occurredAt")).longValue(), str(r.get("directiveId")),
                rev == null ? null : ((Number) rev).intValue(), str(r.get("sessionId")), str(r.get("commandId")), details);
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    /** @return the event as JSON */
    public ObjectNode toJson() {
        ObjectNode n = EntryJson.JSON.createObjectNode();
        n.put("type", type);
        n.put("component", component);
        n.put("occurredAt", java.time.Instant.ofEpochMilli(occurredAtMs).toString());
        n.put("directiveId", directiveId);
        n.put("directiveRevision", directiveRevision);
        n.put("sessionId", sessionId);
        n.put("commandId", commandId);
        ObjectNode d = n.putObject("details");
        details.forEach(d::put);
        return n;
    }
}
