package dev.cordon.enforcement.internal;

import dev.cordon.avro.Condition;
import dev.cordon.avro.ConditionGroup;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.Scope;
import dev.cordon.avro.Subject;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pure coverage rules of DESIGN.md "Coverage": does a scope cover a (resource, subject), and which
 * subjects group matched. Time ("in force") is not decided here; see {@link DirectiveRules}.
 *
 * <ul>
 *   <li>the resource is in {@code scope.resources} ({@code "*"} = every resource);</li>
 *   <li>{@code scope.subjects} is empty (everyone, rendered {@value #EVERYONE}) or any group has all its
 *       conditions true — the first such group in document order is the match;</li>
 *   <li>no group of {@code scope.exempt} has all its conditions true.</li>
 * </ul>
 * Conditions on list attributes ({@code nationality}, {@code role}): {@code IN} is true when any element is
 * in {@code values}, {@code NOT_IN} when no element is; an absent attribute has no elements (so
 * {@code NOT_IN} is true: fail closed). Country attributes compare upper-case.
 */
public final class ScopeMatcher {
    /** {@code matched} rendering when {@code scope.subjects} is empty. */
    public static final String EVERYONE = "*";
    /** Attribute names accepted by {@link #isKnownAttribute}; plus {@code attr.<name>}. */
    public static final Set<String> ATTRIBUTES =
            Set.of("userId", "orgId", "nationality", "residenceCountry", "locationCountry", "role");
    private static final Set<String> COUNTRY_ATTRIBUTES = Set.of("nationality", "residenceCountry", "locationCountry");
    private static final String FREE_PREFIX = "attr.";

    private ScopeMatcher() {
    }

    /**
     * @param scope    the directive's scope; {@code null} covers nothing
     * @param resource the session's resource
     * @param subject  the session's current subject
     * @return the rendered matching subjects group (e.g. {@code nationality NOT_IN [US]}) when covered
     */
    public static Optional<String> match(Scope scope, String resource, Subject subject) {
        if (scope == null || !coversResource(scope.getResources(), resource)) {
            return Optional.empty();
        }
        for (ConditionGroup exempt : scope.getExempt()) {
            if (holds(exempt, subject)) {
                return Optional.empty();
            }
        }
        List<ConditionGroup> subjects = scope.getSubjects();
        if (subjects.isEmpty()) {
            return Optional.of(EVERYONE);
        }
        for (ConditionGroup group : subjects) {
            if (holds(group, subject)) {
                return Optional.of(render(group));
            }
        }
        return Optional.empty();
    }

    /** @return whether {@code attribute} is one Cordon knows ({@link #ATTRIBUTES} or {@code attr.<name>}) */
    public static boolean isKnownAttribute(String attribute) {
        return attribute != null
                && (ATTRIBUTES.contains(attribute) || attribute.startsWith(FREE_PREFIX) && attribute.length() > FREE_PREFIX.length());
    }

    /** Renders a group as its conditions joined with {@code " AND "}, e.g. {@code role IN [contractor, vendor]}. */
    public static String render(ConditionGroup group) {
        return group.getAll().stream()
                .map(c -> c.getAttribute() + " " + c.getOp() + " [" + String.join(", ", c.getValues()) + "]")
                .collect(Collectors.joining(" AND "));
    }

    /**
     * @return whether {@code scope} covers a resource (its first test, before any subject condition): lets a sweep skip
     *         decoding the subject of a session on another resource; a {@code null} scope covers nothing
     */
    public static java.util.function.Predicate<String> resourcePredicate(Scope scope) {
        if (scope == null) {
            return r -> false;
        }
        List<String> resources = scope.getResources();
        return r -> coversResource(resources, r);
    }

    /**
     * @return the subject attributes {@code scope}'s conditions (subjects and exempt groups) read, e.g. {@code role},
     *         {@code orgId}, {@code attr.tier}; a counting sweep decodes only these and what it counts by (nationality,
     *         role)
     */
    public static Set<String> attributesRead(Scope scope) {
        Set<String> read = new java.util.HashSet<>();
        if (scope != null) {
            for (List<ConditionGroup> groups : List.of(scope.getSubjects(), scope.getExempt())) {
                for (ConditionGroup g : groups) {
                    for (Condition c : g.getAll()) {
                        read.add(c.getAttribute());
                    }
                }
            }
        }
        return read;
    }

    private static boolean coversResource(List<String> resources, String resource) {
        return resources.contains("*") || resource != null && resources.contains(resource);
    }

    private static boolean holds(ConditionGroup group, Subject subject) {
        if (group.getAll().isEmpty()) {
            return false; // refused by ingest and by the decoder; never "everyone" by accident
        }
        for (Condition condition : group.getAll()) {
            if (!holds(condition, subject)) {
                return false;
            }
        }
        return true;
    }

    private static boolean holds(Condition condition, Subject subject) {
        boolean country = COUNTRY_ATTRIBUTES.contains(condition.getAttribute());
        List<String> elements = values(condition.getAttribute(), subject);
        boolean anyIn = false;
        for (String element : elements) {
            if (element == null) {
                continue;
            }
            for (String value : condition.getValues()) {
                if (country ? upper(element).equals(upper(value)) : element.equals(value)) {
                    anyIn = true;
                    break;
                }
            }
        }
        ConditionOp op = condition.getOp();
        if (op == ConditionOp.IN) {
            return anyIn;
        }
        if (op == ConditionOp.NOT_IN) {
            return !anyIn;
        }
        throw new IllegalArgumentException("condition op " + op + " on " + condition.getAttribute() + ": expected IN or NOT_IN");
    }

    private static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    private static List<String> values(String attribute, Subject subject) {
        if (subject == null) {
            return List.of();
        }
        switch (attribute) {
            case "userId":
                return single(subject.getUserId());
            case "orgId":
                return single(subject.getOrgId());
            case "nationality":
                return subject.getNationality() == null ? List.of() : subject.getNationality();
            case "residenceCountry":
                return single(subject.getResidenceCountry());
            case "locationCountry":
                return single(subject.getLocationCountry());
            case "role":
                return subject.getRole() == null ? List.of() : subject.getRole();
            default:
                if (attribute.startsWith(FREE_PREFIX) && subject.getAttributes() != null) {
                    return single(subject.getAttributes().get(attribute.substring(FREE_PREFIX.length())));
                }
                return List.of();
        }
    }

    private static List<String> single(String value) {
        return value == null ? List.of() : List.of(value);
    }
}
