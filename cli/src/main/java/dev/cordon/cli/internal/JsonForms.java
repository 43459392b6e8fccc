package dev.cordon.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON forms of DESIGN.md ("Session event", "Revocation command") and their Avro records.
 * Bad input gets an {@link IllegalArgumentException} naming the field and what would be valid.
 */
public final class JsonForms {
    private static final Set<String> SESSION_FIELDS = Set.of("sessionId", "type", "resource", "gatewayId", "occurredAt", "subject");
    private static final Set<String> SUBJECT_FIELDS = Set.of("userId", "orgId", "nationality", "residenceCountry",
            "locationCountry", "role", "attributes");

    private JsonForms() {
    }

    /**
     * Converts a session event in its JSON form (timestamps already absolute) to the Avro record.
     *
     * @param json the event object
     * @return the record
     * @throws IllegalArgumentException naming the field when a field is missing, unknown or of the wrong type
     */
    public static SessionEvent sessionEvent(JsonNode json) {
        requireKnownFields(json, SESSION_FIELDS, "session");
        String type = text(json, "type", "session.type");
        SessionEventType eventType;
        try {
            eventType = SessionEventType.valueOf(type);
        } catch (IllegalArgumentException e) {
            eventType = null;
        }
        if (eventType == null || eventType == SessionEventType.UNKNOWN) {
            throw new IllegalArgumentException("`session.type`: `" + type + "` is not valid; valid: STARTED, HEARTBEAT, ATTRIBUTES_CHANGED, ENDED");
        }
        JsonNode subject = json.get("subject");
        if (subject == null || !subject.isObject()) {
            throw new IllegalArgumentException("`session.subject` is required and must be an object");
        }
        requireKnownFields(subject, SUBJECT_FIELDS, "session.subject");
        Map<String, String> attributes = new LinkedHashMap<>();
        JsonNode attrs = subject.get("attributes");
        if (attrs != null && !attrs.isNull()) {
            if (!attrs.isObject()) {
                throw new IllegalArgumentException("`session.subject.attributes` must be an object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = attrs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException("`session.subject.attributes." + e.getKey() + "` must be a string");
                }
                attributes.put(e.getKey(), e.getValue().asText());
            }
        }
        return SessionEvent.newBuilder()
                .setSessionId(text(json, "sessionId", "session.sessionId"))
                .setType(eventType)
                .setResource(text(json, "resource", "session.resource"))
                .setGatewayId(text(json, "gatewayId", "session.gatewayId"))
                .setOccurredAt(instant(json, "occurredAt", "session.occurredAt"))
                .setSubject(Subject.newBuilder()
                        .setUserId(text(subject, "userId", "session.subject.userId"))
                        .setOrgId(optionalText(subject, "orgId", "session.subject.orgId"))
                        .setNationality(strings(subject, "nationality", "session.subject.nationality"))
                        .setResidenceCountry(optionalText(subject, "residenceCountry", "session.subject.residenceCountry"))
                        .setLocationCountry(optionalText(subject, "locationCountry", "session.subject.locationCountry"))
                        .setRole(strings(subject, "role", "session.subject.role"))
                        .setAttributes(attributes)
                        .build())
                .build();
    }

    /**
     * The JSON form of a command, as DESIGN.md "Revocation command" shows it (field order kept).
     *
     * @param mapper  the mapper used to build the node
     * @param command the command
     * @return the JSON object
     */
    public static ObjectNode command(ObjectMapper mapper, RevocationCommand command) {
        ObjectNode n = mapper.createObjectNode();
        n.put("commandId", command.getCommandId());
        n.put("kind", command.getKind().name());
        n.put("attempt", command.getAttempt());
        n.put("sessionId", command.getSessionId());
        n.put("userId", command.getUserId());
        n.put("resource", command.getResource());
        n.put("gatewayId", command.getGatewayId());
        n.put("directiveId", command.getDirectiveId());
        n.put("directiveRevision", command.getDirectiveRevision());
        if (command.getLegalBasis() == null) {
            n.putNull("legalBasis");
        } else {
            n.put("legalBasis", command.getLegalBasis());
        }
        n.put("matched", command.getMatched());
        n.put("issuedAt", command.getIssuedAt().toString());
        return n;
    }

    private static void requireKnownFields(JsonNode node, Set<String> valid, String path) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!valid.contains(name)) {
                String[] sorted = valid.toArray(new String[0]);
                Arrays.sort(sorted);
                throw new IllegalArgumentException("`" + path + "." + name + "` is not a known field; valid: " + String.join(", ", sorted));
            }
        }
    }

    private static String text(JsonNode node, String field, String path) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("`" + path + "` is required");
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("`" + path + "` must be a non-empty string");
        }
        return v.asText();
    }

    private static String optionalText(JsonNode node, String field, String path) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("`" + path + "` must be a string or null");
        }
        return v.asText();
    }

    private static List<String> strings(JsonNode node, String field, String path) {
        JsonNode v = node.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException("`" + path + "` must be an array of strings");
        }
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) {
                throw new IllegalArgumentException("`" + path + "[" + i + "]` must be a string");
            }
            out.add(v.get(i).asText());
        }
        return out;
    }

    private static Instant instant(JsonNode node, String field, String path) {
        String s = text(node, field, path);
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("`" + path + "`: `" + s + "` is not an ISO-8601 instant (e.g. 2026-11-26T12:00:00Z) or +<N>ms");
        }
    }
}
