package dev.cordon.audit.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.AuditEntry;
import dev.cordon.audit.EntryHasher;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The JSON form of an {@link AuditEntry} in export bundles and proof files: one object with every column of
 * {@code audit_entries} under its {@code AuditEntry} component name; byte columns as standard base64
 * ({@code kafkaKey}, {@code payload}) or lower-case hex ({@code prevHash}, {@code entryHash}); SQL NULL as JSON
 * null. An optional {@code event} member (the decoded payload, for reading with jq) is ignored on input: only the
 * columns are hashed ({@link EntryHasher}).
 */
public final class EntryJson {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private EntryJson() {
    }

    /** @return the entry as JSON, with a decoded {@code event} member when the payload is readable */
    public static ObjectNode toJson(AuditEntry e, boolean withEvent) {
        ObjectNode n = JSON.createObjectNode();
        n.put("seq", e.seq());
        n.put("recordedAtMs", e.recordedAtMs());
        n.put("eventType", e.eventType());
        n.put("eventId", e.eventId());
        n.put("originComponent", e.originComponent());
        n.put("originPartition", e.originPartition());
        n.put("originSequence", e.originSequence());
        n.put("occurredAtMs", e.occurredAtMs());
        n.put("directiveId", e.directiveId());
        n.put("sessionId", e.sessionId());
        n.put("kafkaTopic", e.kafkaTopic());
        n.put("kafkaPartition", e.kafkaPartition());
        n.put("kafkaOffset", e.kafkaOffset());
        n.put("kafkaTimestampMs", e.kafkaTimestampMs());
        n.put("kafkaKey", e.kafkaKey() == null ? null : B64.encodeToString(e.kafkaKey()));
        n.put("payloadFormat", e.payloadFormat());
        n.put("payload", B64.encodeToString(e.payload()));
        n.put("details", e.details());
        n.put("prevHash", HexFormat.of().formatHex(e.prevHash()));
        n.put("entryHash", HexFormat.of().formatHex(e.entryHash()));
        if (withEvent) {
            EventView v = EventView.of(e);
            if (v != null) {
                n.set("event", v.toJson());
            }
        }
        return n;
    }

    /**
     * @return the entry the JSON describes
     * @throws IllegalArgumentException naming the member that is missing or malformed
     */
    public static AuditEntry fromJson(JsonNode n) {
        try {
            return new AuditEntry(
                    req(n, "seq").asLong(), req(n, "recordedAtMs").asLong(), req(n, "eventType").asText(),
                    str(n, "eventId"), str(n, "originComponent"),
                    n.hasNonNull("originPartition") ? n.get("originPartition").asInt() : null,
                    n.hasNonNull("originSequence") ? n.get("originSequence").asLong() : null,
                    n.hasNonNull("occurredAtMs") ? n.get("occurredAtMs").asLong() : null,
                    str(n, "directiveId"), str(n, "sessionId"), req(n, "kafkaTopic").asText(),
                    req(n, "kafkaPartition").asInt(), req(n, "kafkaOffset").asLong(), req(n, "kafkaTimestampMs").asLong(),
                    n.hasNonNull("kafkaKey") ? B64D.decode(n.get("kafkaKey").asText()) : null,
                    req(n, "payloadFormat").asText(), B64D.decode(req(n, "payload").asText()), str(n, "details"),
                    HexFormat.of().parseHex(req(n, "prevHash").asText()), HexFormat.of().parseHex(req(n, "entryHash").asText()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("entry" + (n.has("seq") ? " " + n.get("seq").asText() : "") + ": "
                    + e.getMessage(), e);
        }
    }

    private static JsonNode req(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("member '" + field + "' is required");
        }
        return v;
    }

    private static String str(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}
