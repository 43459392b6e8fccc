package dev.cordon.ingest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cordon.avro.Condition;
import dev.cordon.avro.ConditionGroup;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.Scope;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a directive document (DESIGN.md "Directive document", "Coverage") and applies its defaults.
 * Pure: no I/O, the acceptance instant is passed in. Every problem found is reported, in document order,
 * each naming the JSON path of the field and what would be valid (STYLE.md point 11).
 *
 * <p>Status of each error:
 * <ul>
 *   <li><b>400</b> (shape): the document is not a JSON object; a field has the wrong JSON type (a string where
 *       an array is expected, {@code 1.5} or {@code "1"} for {@code revision}); an unknown field at any depth.</li>
 *   <li><b>422</b> (semantics): a required field is missing or blank (which fields depends on {@code action});
 *       an unknown {@code action}, {@code mode}, {@code enforcement}, {@code op} or {@code attribute}; a country
 *       value that is not an assigned ISO 3166-1 alpha-2 code ({@link Countries}); an empty {@code resources},
 *       {@code all} or {@code values}; {@code revision} below 1; a timestamp that is not an ISO-8601 instant;
 *       {@code effectiveUntil} not after {@code effectiveFrom}; {@code scope} or {@code effectiveUntil} on a
 *       LIFT.</li>
 * </ul>
 * A JSON {@code null} is the same as leaving the field out.
 *
 * <p>Defaults (DESIGN.md "Directive document"): {@code revision} 1 (RESTRICT only; a LIFT must name its
 * revision), {@code mode} ENFORCE, {@code enforcement} REVOKE_AND_DENY, {@code effectiveFrom} the acceptance
 * instant, {@code subjects} and {@code exempt} empty. Country values are stored upper-case; instants are
 * truncated to milliseconds (Avro {@code timestamp-millis}).
 */
public final class DirectiveValidator {
    static final List<String> DOCUMENT_FIELDS = List.of("directiveId", "revision", "action", "issuer", "legalBasis",
            "reason", "mode", "enforcement", "effectiveFrom", "effectiveUntil", "scope", "breakGlass");
    /** Longest accepted string value, characters: ids, reasons and values are short by nature. */
    static final int MAX_TEXT = 4_096;
    /** At most this many errors are reported; the rest are summarised. */
    static final int MAX_ERRORS = 50;
    static final List<String> SCOPE_FIELDS = List.of("resources", "subjects", "exempt");
    static final List<String> GROUP_FIELDS = List.of("all");
    static final List<String> CONDITION_FIELDS = List.of("attribute", "op", "values");
    /** Named attributes of DESIGN.md "Coverage"; {@code attr.<name>} is accepted besides. */
    static final List<String> ATTRIBUTES = List.of("userId", "orgId", "nationality", "residenceCountry",
            "locationCountry", "role");
    static final Set<String> COUNTRY_ATTRIBUTES = Set.of("nationality", "residenceCountry", "locationCountry");
    static final String FREE_ATTRIBUTE_PREFIX = "attr.";
    /** Directive ids travel as Kafka keys and URL path segments: letters, digits and {@code . _ : @ -}. */
    static final Pattern DIRECTIVE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
    static final Pattern FREE_ATTRIBUTE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final List<String> ACTIONS = List.of("RESTRICT", "LIFT");
    private static final List<String> MODES = List.of("ENFORCE", "DRY_RUN");
    private static final List<String> ENFORCEMENTS = List.of("REVOKE_AND_DENY", "DENY_NEW");
    private static final List<String> OPS = List.of("IN", "NOT_IN");

    /**
     * @param document the parsed request body (any JSON value)
     * @param now      acceptance instant: the default {@code effectiveFrom}
     * @return the validated directive with defaults applied
     * @throws RefusedException with every error found (400 and/or 422 each); the status is the lowest
     */
    public ValidatedDirective validate(JsonNode document, Instant now) throws RefusedException {
        Errors errors = new Errors();
        if (document == null || document.isMissingNode()) {
            throw new RefusedException(new ApiError(ApiError.BAD_REQUEST, "$",
                    "the request body is empty; send a directive document (a JSON object)"));
        }
        if (!document.isObject()) {
            throw new RefusedException(new ApiError(ApiError.BAD_REQUEST, "$",
                    "the directive document must be a JSON object, was " + describe(document)));
        }
        unknownFields(document, "", DOCUMENT_FIELDS, errors);

        String actionText = text(document, "action", "action", errors);
        DirectiveAction action = null;
        if (actionText == null) {
            errors.semantic("action", "is required; one of " + quoted(ACTIONS));
        } else {
            action = enumValue(actionText, "action", ACTIONS, errors).map(DirectiveAction::valueOf).orElse(null);
        }
        boolean lift = action == DirectiveAction.LIFT;
        boolean restrict = action == DirectiveAction.RESTRICT;
        String requiredFor = lift ? "a LIFT" : "a RESTRICT";

        String directiveId = required(document, "directiveId", requiredFor, errors);
        if (directiveId != null && !DIRECTIVE_ID.matcher(directiveId).matches()) {
            errors.semantic("directiveId", "`" + clip(directiveId) + "` is not a valid directive id; use 1 to 128 letters, "
                    + "digits and `. _ : @ -`, starting with a letter or digit");
        }
        int revision = revision(document, lift, errors);
        String issuer = required(document, "issuer", requiredFor, errors);
        String reason = required(document, "reason", requiredFor, errors);
        String legalBasis = lift ? optionalNonBlank(document, "legalBasis", errors)
                : required(document, "legalBasis", requiredFor, errors);

        DirectiveMode mode = Optional.ofNullable(text(document, "mode", "mode", errors))
                .map(m -> enumValue(m, "mode", MODES, errors).map(DirectiveMode::valueOf).orElse(null))
                .orElse(DirectiveMode.ENFORCE);
        EnforcementKind enforcement = Optional.ofNullable(text(document, "enforcement", "enforcement", errors))
                .map(k -> enumValue(k, "enforcement", ENFORCEMENTS, errors).map(EnforcementKind::valueOf).orElse(null))
                .orElse(EnforcementKind.REVOKE_AND_DENY);

        Instant nowMillis = now.truncatedTo(ChronoUnit.MILLIS);
        Instant from = instant(document, "effectiveFrom", errors);
        boolean fromDefaulted = from == null && !present(document, "effectiveFrom");
        Instant effectiveFrom = from != null ? from : nowMillis;
        Instant effectiveUntil = instant(document, "effectiveUntil", errors);
        if (lift && present(document, "effectiveUntil")) {
            errors.semantic("effectiveUntil", "a LIFT takes the directive out of force and has no end; "
                    + "remove `effectiveUntil` (use `effectiveFrom` to schedule the lift)");
        } else if (effectiveUntil != null && (from != null || fromDefaulted) && !effectiveUntil.isAfter(effectiveFrom)) {
            errors.semantic("effectiveUntil", "`" + effectiveUntil + "` is not after `effectiveFrom` (" + effectiveFrom
                    + (fromDefaulted ? ", the acceptance time, as `effectiveFrom` was left out" : "")
                    + "); the end of a directive must be later than its start");
        }

        boolean breakGlass = false;
        JsonNode breakGlassNode = document.get("breakGlass");
        if (breakGlassNode != null && !breakGlassNode.isNull()) {
            if (!breakGlassNode.isBoolean()) {
                errors.shape("breakGlass", "must be true or false, was " + describe(breakGlassNode));
            } else {
                breakGlass = breakGlassNode.booleanValue();
            }
        }
        if (breakGlass && (!restrict || mode != DirectiveMode.ENFORCE)) {
            errors.semantic("breakGlass", "only an ENFORCE RESTRICT can be break-glass (a LIFT or DRY_RUN needs no "
                    + "approval); remove `breakGlass`");
        }
        if (breakGlass && from != null && from.isAfter(nowMillis)) {
            errors.semantic("effectiveFrom", "a break-glass revision takes effect at once; remove `effectiveFrom` "
                    + "(or issue a normal revision, which waits for approval, to schedule it)");
        }

        Scope scope = null;
        if (lift) {
            if (present(document, "scope")) {
                errors.semantic("scope", "a LIFT takes the whole directive out of force and carries no scope; "
                        + "remove `scope` (to narrow a directive, issue a higher RESTRICT revision)");
            }
        } else {
            scope = scope(document, restrict, errors);
        }

        if (!errors.list.isEmpty()) {
            List<ApiError> reported = errors.list;
            if (reported.size() > MAX_ERRORS) {
                int more = reported.size() - MAX_ERRORS;
                reported = new ArrayList<>(reported.subList(0, MAX_ERRORS));
                reported.add(new ApiError(errors.list.stream().mapToInt(ApiError::status).min().orElse(400), null,
                        "... and " + more + " more errors"));
            }
            throw new RefusedException(reported);
        }
        return new ValidatedDirective(directiveId, revision, action, mode, enforcement, issuer, legalBasis, reason,
                effectiveFrom, effectiveUntil, scope, fromDefaulted, breakGlass);
    }

    private static int revision(JsonNode document, boolean lift, Errors errors) {
        JsonNode node = document.get("revision");
        if (node == null || node.isNull()) {
            if (lift) {
                errors.semantic("revision", "is required for a LIFT; a positive integer higher than the current revision");
            }
            return 1;
        }
        if (!node.isIntegralNumber()) {
            errors.shape("revision", "must be a positive integer (a JSON number without fraction), was " + describe(node));
            return 1;
        }
        if (!node.canConvertToInt() || node.intValue() < 1) {
            errors.semantic("revision", "`" + node.asText() + "` is not a valid revision; use an integer from 1 to "
                    + Integer.MAX_VALUE);
            return 1;
        }
        return node.intValue();
    }

    private static Scope scope(JsonNode document, boolean restrict, Errors errors) {
        JsonNode node = document.get("scope");
        if (node == null || node.isNull()) {
            if (restrict) {
                errors.semantic("scope.resources", "is required for a RESTRICT: the resources it restricts "
                        + "(`\"*\"` = every resource)");
            }
            return null;
        }
        if (!node.isObject()) {
            errors.shape("scope", "must be an object with `resources`, `subjects` and `exempt`, was " + describe(node));
            return null;
        }
        unknownFields(node, "scope.", SCOPE_FIELDS, errors);
        List<String> resources = new ArrayList<>();
        JsonNode resourcesNode = node.get("resources");
        if (resourcesNode == null || resourcesNode.isNull()) {
            if (restrict) {
                errors.semantic("scope.resources", "is required for a RESTRICT: the resources it restricts "
                        + "(`\"*\"` = every resource)");
            }
        } else if (!resourcesNode.isArray()) {
            errors.shape("scope.resources", "must be an array of resource names, was " + describe(resourcesNode));
        } else if (resourcesNode.isEmpty()) {
            errors.semantic("scope.resources", "must name at least one resource (`\"*\"` = every resource)");
        } else {
            for (int i = 0; i < resourcesNode.size(); i++) {
                String value = element(resourcesNode.get(i), "scope.resources[" + i + "]", "resource name", errors);
                if (value != null) {
                    resources.add(value);
                }
            }
        }
        List<ConditionGroup> subjects = groups(node, "subjects", errors);
        List<ConditionGroup> exempt = groups(node, "exempt", errors);
        return Scope.newBuilder().setResources(resources).setSubjects(subjects).setExempt(exempt).build();
    }

    private static List<ConditionGroup> groups(JsonNode scope, String name, Errors errors) {
        List<ConditionGroup> groups = new ArrayList<>();
        JsonNode node = scope.get(name);
        String path = "scope." + name;
        if (node == null || node.isNull()) {
            return groups;
        }
        if (!node.isArray()) {
            errors.shape(path, "must be an array of groups `{\"all\": [conditions]}`, was " + describe(node));
            return groups;
        }
        for (int g = 0; g < node.size(); g++) {
            String groupPath = path + "[" + g + "]";
            JsonNode group = node.get(g);
            if (!group.isObject()) {
                errors.shape(groupPath, "must be a group `{\"all\": [conditions]}`, was " + describe(group));
                continue;
            }
            unknownFields(group, groupPath + ".", GROUP_FIELDS, errors);
            JsonNode all = group.get("all");
            String allPath = groupPath + ".all";
            if (all == null || all.isNull()) {
                errors.semantic(allPath, "is required: the conditions that must all be true");
                continue;
            }
            if (!all.isArray()) {
                errors.shape(allPath, "must be an array of conditions, was " + describe(all));
                continue;
            }
            if (all.isEmpty()) {
                errors.semantic(allPath, "must hold at least one condition; an empty group would match everyone "
                        + "(to cover everyone, leave `subjects` empty)");
                continue;
            }
            List<Condition> conditions = new ArrayList<>();
            for (int c = 0; c < all.size(); c++) {
                Condition condition = condition(all.get(c), allPath + "[" + c + "]", errors);
                if (condition != null) {
                    conditions.add(condition);
                }
            }
            groups.add(ConditionGroup.newBuilder().setAll(conditions).build());
        }
        return groups;
    }

    private static Condition condition(JsonNode node, String path, Errors errors) {
        if (!node.isObject()) {
            errors.shape(path, "must be a condition `{\"attribute\", \"op\", \"values\"}`, was " + describe(node));
            return null;
        }
        unknownFields(node, path + ".", CONDITION_FIELDS, errors);
        String attribute = text(node, "attribute", path + ".attribute", errors);
        boolean validAttribute = false;
        if (attribute == null) {
            errors.semantic(path + ".attribute", "is required; one of " + quoted(ATTRIBUTES) + " or `attr.<name>`");
        } else {
            validAttribute = attribute(attribute, path + ".attribute", errors);
        }
        String opText = text(node, "op", path + ".op", errors);
        ConditionOp op = null;
        if (opText == null) {
            errors.semantic(path + ".op", "is required; one of " + quoted(OPS));
        } else {
            op = enumValue(opText, path + ".op", OPS, errors).map(ConditionOp::valueOf).orElse(null);
        }
        List<String> values = new ArrayList<>();
        JsonNode valuesNode = node.get("values");
        String valuesPath = path + ".values";
        if (valuesNode == null || valuesNode.isNull()) {
            errors.semantic(valuesPath, "is required: a non-empty array of values");
        } else if (!valuesNode.isArray()) {
            errors.shape(valuesPath, "must be an array of strings, was " + describe(valuesNode));
        } else if (valuesNode.isEmpty()) {
            errors.semantic(valuesPath, "must hold at least one value");
        } else {
            boolean country = validAttribute && COUNTRY_ATTRIBUTES.contains(attribute);
            for (int v = 0; v < valuesNode.size(); v++) {
                String valuePath = valuesPath + "[" + v + "]";
                String value = element(valuesNode.get(v), valuePath, "value", errors);
                if (value == null) {
                    continue;
                }
                if (country) {
                    String code = value.trim().toUpperCase(Locale.ROOT);
                    if (Countries.isAssigned(code)) {
                        values.add(code);
                    } else {
                        errors.semantic(valuePath, "`" + value + "` is not an assigned ISO 3166-1 alpha-2 code"
                                + Countries.suggestion(value).map(s -> "; did you mean `" + s + "`?")
                                .orElse("; use a two-letter code such as `DE` or `GB`"));
                    }
                } else {
                    values.add(value);
                }
            }
        }
        if (attribute == null || op == null || !validAttribute) {
            return null;
        }
        return Condition.newBuilder().setAttribute(attribute).setOp(op).setValues(values).build();
    }

    private static boolean attribute(String attribute, String path, Errors errors) {
        if (ATTRIBUTES.contains(attribute)) {
            return true;
        }
        if (attribute.startsWith(FREE_ATTRIBUTE_PREFIX)) {
            String name = attribute.substring(FREE_ATTRIBUTE_PREFIX.length());
            if (FREE_ATTRIBUTE_NAME.matcher(name).matches()) {
                return true;
            }
            errors.semantic(path, "`" + attribute + "` is not a valid free attribute; write `attr.<name>` with a "
                    + "name of 1 to 64 letters, digits and `_ . -`");
            return false;
        }
        errors.semantic(path, "`" + attribute + "` is not a known attribute; use one of " + quoted(ATTRIBUTES)
                + " or `attr.<name>`" + closest(attribute, ATTRIBUTES).map(s -> "; did you mean `" + s + "`?").orElse(""));
        return false;
    }

    private static String element(JsonNode node, String path, String what, Errors errors) {
        if (!node.isTextual()) {
            errors.shape(path, "must be a string (" + what + "), was " + describe(node));
            return null;
        }
        if (node.textValue().isBlank()) {
            errors.semantic(path, "must not be blank");
            return null;
        }
        if (node.textValue().length() > MAX_TEXT) {
            errors.semantic(path, "is " + node.textValue().length() + " characters long; at most " + MAX_TEXT);
            return null;
        }
        return node.textValue();
    }

    private static Optional<String> enumValue(String value, String path, List<String> valid, Errors errors) {
        if (valid.contains(value)) {
            return Optional.of(value);
        }
        errors.semantic(path, "`" + clip(value) + "` is not valid; use one of " + quoted(valid)
                + closest(value, valid).map(s -> "; did you mean `" + s + "`?").orElse(""));
        return Optional.empty();
    }

    private static Instant instant(JsonNode document, String name, Errors errors) {
        String value = text(document, name, name, errors);
        if (value == null) {
            return null;
        }
        try {
            return DateTimeFormatter.ISO_INSTANT.parse(value.trim(), Instant::from).truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            errors.semantic(name, "`" + value + "` is not an ISO-8601 instant; write e.g. `2026-11-26T12:00:00Z` "
                    + "or `2026-11-26T13:00:00+01:00`");
            return null;
        }
    }

    private static String required(JsonNode node, String name, String requiredFor, Errors errors) {
        String value = text(node, name, name, errors);
        if (value == null) {
            if (!errors.hasShapeErrorAt(name)) {
                errors.semantic(name, "is required for " + requiredFor);
            }
            return null;
        }
        if (value.isBlank()) {
            errors.semantic(name, "must not be blank");
            return null;
        }
        return value;
    }

    private static String optionalNonBlank(JsonNode node, String name, Errors errors) {
        String value = text(node, name, name, errors);
        if (value != null && value.isBlank()) {
            errors.semantic(name, "must not be blank; leave it out instead");
            return null;
        }
        return value;
    }

    /** @return the string value, or null when absent, JSON null, or of the wrong type (a 400 is recorded) */
    private static String text(JsonNode node, String name, String path, Errors errors) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            errors.shape(path, "must be a string, was " + describe(value));
            return null;
        }
        if (value.textValue().length() > MAX_TEXT) {
            errors.semantic(path, "is " + value.textValue().length() + " characters long; at most " + MAX_TEXT);
            return null;
        }
        return value.textValue();
    }

    private static boolean present(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value != null && !value.isNull();
    }

    private static void unknownFields(JsonNode node, String prefix, List<String> allowed, Errors errors) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                errors.shape(prefix + clip(name), "unknown field; valid fields here are " + quoted(allowed)
                        + closest(name, allowed).map(s -> "; did you mean `" + s + "`?").orElse(""));
            }
        }
    }

    /** @return the valid name equal ignoring case, or within edit distance 2, if any */
    static Optional<String> closest(String value, List<String> valid) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : valid) {
            if (candidate.equalsIgnoreCase(value)) {
                return Optional.of(candidate);
            }
            int d = distance(value.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= 2 ? Optional.ofNullable(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String quoted(List<String> values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            sb.append(i == 0 ? "" : i == values.size() - 1 ? " or " : ", ").append('`').append(values.get(i)).append('`');
        }
        return sb.toString();
    }

    /** @return {@code value}, shortened to 64 characters with an ellipsis, for echoing in messages */
    static String clip(String value) {
        return value.length() <= 64 ? value : value.substring(0, 61) + "...";
    }

    static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isIntegralNumber()) {
            return "an integer";
        }
        if (node.isNumber()) {
            return "a number with a fraction";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isObject()) {
            return "an object";
        }
        return "null";
    }

    private static final class Errors {
        private final List<ApiError> list = new ArrayList<>();

        void shape(String path, String message) {
            list.add(ApiError.at(ApiError.BAD_REQUEST, path, message));
        }

        void semantic(String path, String message) {
            list.add(ApiError.at(ApiError.UNPROCESSABLE, path, message));
        }

        boolean hasShapeErrorAt(String path) {
            return list.stream().anyMatch(e -> e.status() == ApiError.BAD_REQUEST && path.equals(e.field()));
        }
    }
}
