package dev.cordon.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A deliberately plain, separate evaluation of DESIGN.md "Coverage" over the JSON forms (the
 * directive document an operator posts, the session's {@code subject}), used by the demo to check
 * the pipeline's decisions. It shares no code with the production matcher on purpose: the demo
 * compares two independent readings of the same rules.
 */
public final class ReferenceRules {
    private static final java.util.Set<String> COUNTRY_ATTRIBUTES =
            java.util.Set.of("nationality", "residenceCountry", "locationCountry");

    private ReferenceRules() {
    }

    /**
     * Whether a directive's scope covers a session (time and lifecycle are the caller's business).
     *
     * @param directive the directive document (JSON form) with {@code scope}
     * @param resource  the session's resource
     * @param subject   the session's {@code subject} object (JSON form)
     * @return true when rules 1–3 of DESIGN.md "Coverage" all hold
     */
    public static boolean covers(JsonNode directive, String resource, JsonNode subject) {
        JsonNode scope = directive.get("scope");
        boolean resourceListed = false;
        for (JsonNode r : scope.get("resources")) {
            if (r.asText().equals("*") || r.asText().equals(resource)) {
                resourceListed = true;
            }
        }
        if (!resourceListed) {
            return false;
        }
        JsonNode subjects = scope.get("subjects");
        boolean someoneMatches = subjects == null || subjects.isEmpty();
        if (!someoneMatches) {
            for (JsonNode group : subjects) {
                if (groupHolds(group, subject)) {
                    someoneMatches = true;
                }
            }
        }
        if (!someoneMatches) {
            return false;
        }
        JsonNode exempt = scope.get("exempt");
        if (exempt != null) {
            for (JsonNode group : exempt) {
                if (groupHolds(group, subject)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean groupHolds(JsonNode group, JsonNode subject) {
        for (JsonNode condition : group.get("all")) {
            String attribute = condition.get("attribute").asText();
            List<String> have = valuesOf(subject, attribute);
            boolean anyIn = false;
            for (JsonNode v : condition.get("values")) {
                String wanted = COUNTRY_ATTRIBUTES.contains(attribute) ? v.asText().toUpperCase(Locale.ROOT) : v.asText();
                if (have.contains(wanted)) {
                    anyIn = true;
                }
            }
            String op = condition.get("op").asText();
            boolean holds = op.equals("IN") ? anyIn : !anyIn;
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    private static List<String> valuesOf(JsonNode subject, String attribute) {
        List<String> out = new ArrayList<>();
        JsonNode v = attribute.startsWith("attr.")
                ? subject.path("attributes").get(attribute.substring(5))
                : subject.get(attribute);
        if (v == null || v.isNull()) {
            return out; // an absent attribute has no elements
        }
        if (v.isArray()) {
            v.forEach(e -> out.add(e.asText()));
        } else {
            out.add(v.asText());
        }
        if (COUNTRY_ATTRIBUTES.contains(attribute)) {
            out.replaceAll(c -> c.toUpperCase(Locale.ROOT)); // ISO 3166-1 codes compare case-insensitively
        }
        return out;
    }
}
