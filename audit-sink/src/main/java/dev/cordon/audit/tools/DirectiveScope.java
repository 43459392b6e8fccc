package dev.cordon.audit.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The scope of a directive revision as the log records it: directive-ingest's {@code DIRECTIVE_ACCEPTED} details
 * carry the normalised directive document ({@code document}, DESIGN.md "Directive document"). Coverage rules of
 * DESIGN.md "Coverage", evaluated on the facts about a session the log holds (its resource and user id; the
 * other subject attributes are not in the audit events, so a group over them is {@link Coverage#UNDETERMINED}
 * unless a command or an identical group shows it held).
 *
 * @param resources {@code scope.resources} ({@code "*"} = every resource)
 * @param subjects  {@code scope.subjects}, each group as its conditions
 * @param exempt    {@code scope.exempt}
 */
public record DirectiveScope(List<String> resources, List<List<Condition>> subjects, List<List<Condition>> exempt) {

    /** Rendering of an empty {@code subjects} list, as enforcement-stream writes it in {@code matched}. */
    public static final String EVERYONE = "*";
    private static final Set<String> COUNTRY_ATTRIBUTES = Set.of("nationality", "residenceCountry", "locationCountry");

    /** One condition: {@code attribute op [values]}. */
    public record Condition(String attribute, String op, List<String> values) {
        /** @return {@code nationality NOT_IN [US]} — the rendering of enforcement-stream's {@code matched} */
        public String render() {
            return attribute + " " + op + " [" + String.join(", ", values) + "]";
        }
    }

    /** What the log shows about whether a revision covered a session. */
    public enum Coverage {
        /** the log shows the revision covered the session */
        COVERED,
        /** the resource is in scope, but the group conditions use attributes the log does not record */
        UNDETERMINED,
        /** the log shows the revision did not cover the session */
        NOT_COVERED
    }

    /**
     * @param coverage what the log shows
     * @param group    index into {@code scope.subjects} of the matching group ({@code -1}: everyone, or none)
     * @param matched  the matching group rendered ({@value #EVERYONE} for everyone), or {@code null}
     * @param reason   one sentence saying how this was established
     */
    public record Match(Coverage coverage, int group, String matched, String reason) {
    }

    /**
     * @param documentJson the {@code document} detail of a {@code DIRECTIVE_ACCEPTED} event, or {@code null}
     * @return the scope, or {@code null} when there is no document or it has no scope (a LIFT)
     */
    public static DirectiveScope parse(String documentJson) {
        if (documentJson == null || documentJson.isBlank()) {
            return null;
        }
        JsonNode doc;
        try {
            doc = EntryJson.JSON.readTree(documentJson);
        } catch (IOException e) {
            return null;
        }
        JsonNode scope = doc.path("scope");
        if (!scope.isObject()) {
            return null;
        }
        List<String> resources = new ArrayList<>();
        scope.path("resources").forEach(r -> resources.add(r.asText()));
        return new DirectiveScope(List.copyOf(resources), groups(scope.path("subjects")), groups(scope.path("exempt")));
    }

    /** @return a one-line description of the scope in {@code document}, or {@code null} */
    public static String describe(String documentJson) {
        DirectiveScope s = parse(documentJson);
        return s == null ? null : s.describe();
    }

    /** @return e.g. {@code resources [fable-5, mythos-5]; subjects: nationality NOT_IN [US]; exempt: none} */
    public String describe() {
        return "resources " + resources + "; subjects: " + (subjects.isEmpty() ? "everyone" : renderGroups(subjects))
                + "; exempt: " + (exempt.isEmpty() ? "none" : renderGroups(exempt));
    }

    /** @return the group rendered as enforcement-stream renders {@code matched} (conditions joined by AND) */
    public static String render(List<Condition> group) {
        List<String> parts = new ArrayList<>();
        group.forEach(c -> parts.add(c.render()));
        return String.join(" AND ", parts);
    }

    /**
     * Decides from the log whether this scope covered a session.
     *
     * @param resource         the session's resource (from its audit events)
     * @param known            subject attributes the log records ({@code userId})
     * @param commandMatched   {@code matched} of a command this revision issued for the session, or {@code null}
     * @param heldGroups       renderings of groups that matched the session in commands of other revisions
     * @return the match
     */
    public Match coverage(String resource, Map<String, String> known, String commandMatched, Set<String> heldGroups) {
        if (commandMatched != null) {
            int idx = indexOf(commandMatched);
            return new Match(Coverage.COVERED, idx, commandMatched, "this revision issued a command for the session"
                    + (idx >= 0 ? "; matched scope.subjects[" + idx + "]" : EVERYONE.equals(commandMatched)
                    ? "; scope.subjects is empty (everyone)" : ""));
        }
        if (resource == null || !(resources.contains("*") || resources.contains(resource))) {
            return new Match(Coverage.NOT_COVERED, -1, null, "resource " + resource + " is not in scope.resources");
        }
        for (int i = 0; i < exempt.size(); i++) {
            Boolean holds = holds(exempt.get(i), known);
            if (holds == null) {
                return new Match(Coverage.UNDETERMINED, -1, null, "scope.exempt[" + i + "] (" + render(exempt.get(i))
                        + ") uses attributes the audit log does not record");
            }
            if (holds) {
                return new Match(Coverage.NOT_COVERED, -1, null, "exempt by scope.exempt[" + i + "]");
            }
        }
        if (subjects.isEmpty()) {
            return new Match(Coverage.COVERED, -1, EVERYONE, "resource " + resource
                    + " is in scope and scope.subjects is empty (everyone)");
        }
        boolean unknown = false;
        for (int i = 0; i < subjects.size(); i++) {
            String rendered = render(subjects.get(i));
            if (heldGroups.contains(rendered)) {
                return new Match(Coverage.COVERED, i, rendered, "scope.subjects[" + i + "] is the group that matched the"
                        + " session in a command of another revision");
            }
            Boolean holds = holds(subjects.get(i), known);
            if (holds == null) {
                unknown = true;
            } else if (holds) {
                return new Match(Coverage.COVERED, i, rendered, "scope.subjects[" + i + "] holds for the session");
            }
        }
        return unknown
                ? new Match(Coverage.UNDETERMINED, -1, null, "resource " + resource + " is in scope, but scope.subjects"
                        + " uses attributes the audit log does not record and the revision issued no command")
                : new Match(Coverage.NOT_COVERED, -1, null, "no group of scope.subjects holds");
    }

    private int indexOf(String matched) {
        for (int i = 0; i < subjects.size(); i++) {
            if (render(subjects.get(i)).equals(matched)) {
                return i;
            }
        }
        return -1;
    }

    /** @return whether all conditions hold on the known attributes; {@code null} when one needs an unknown one */
    private static Boolean holds(List<Condition> group, Map<String, String> known) {
        if (group.isEmpty()) {
            return false;
        }
        for (Condition c : group) {
            if (!known.containsKey(c.attribute())) {
                return null;
            }
        }
        for (Condition c : group) {
            String v = known.get(c.attribute());
            boolean country = COUNTRY_ATTRIBUTES.contains(c.attribute());
            boolean in = v != null && c.values().stream().anyMatch(x -> country
                    ? x.toUpperCase(Locale.ROOT).equals(v.toUpperCase(Locale.ROOT)) : x.equals(v));
            if ("IN".equals(c.op()) != in) {
                return false;
            }
        }
        return true;
    }

    private static List<List<Condition>> groups(JsonNode arr) {
        List<List<Condition>> out = new ArrayList<>();
        arr.forEach(g -> {
            List<Condition> conds = new ArrayList<>();
            g.path("all").forEach(c -> {
                List<String> values = new ArrayList<>();
                c.path("values").forEach(v -> values.add(v.asText()));
                conds.add(new Condition(c.path("attribute").asText(), c.path("op").asText(), List.copyOf(values)));
            });
            out.add(List.copyOf(conds));
        });
        return List.copyOf(out);
    }

    private static String renderGroups(List<List<Condition>> groups) {
        List<String> parts = new ArrayList<>();
        groups.forEach(g -> parts.add("(" + render(g) + ")"));
        return String.join(" OR ", parts);
    }
}
