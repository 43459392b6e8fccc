package dev.cordon.ingest;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a principal of the ingest API may do (issue 6 point 1). Every role may read ({@code GET}); beyond that:
 * <ul>
 *   <li>{@link #ISSUER}: issue, amend, lift and preview directives ({@code POST /v1/directives},
 *       {@code POST /v1/directives:preview}); may not approve its own revisions;</li>
 *   <li>{@link #APPROVER}: approve a pending revision of someone else
 *       ({@code POST /v1/directives/{id}/revisions/{rev}:approve}) and preview;</li>
 *   <li>{@link #VIEWER}: read directives, their revisions, approvals and impact;</li>
 *   <li>{@link #AUDITOR}: the same reads, for auditors (kept apart so that access reviews can tell them apart).</li>
 * </ul>
 */
public enum Role {
    ISSUER, APPROVER, VIEWER, AUDITOR;

    /** @return the configuration name, lower case: {@code issuer}, {@code approver}, {@code viewer}, {@code auditor} */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param id a configuration name, any case
     * @return the role
     * @throws IllegalArgumentException naming the valid roles
     */
    public static Role of(String id) {
        for (Role r : values()) {
            if (r.id().equalsIgnoreCase(id.trim())) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role `" + id + "`; use issuer, approver, viewer or auditor");
    }

    /** @return {@code issuer+approver} form of a set, in declaration order */
    public static String join(Set<Role> roles) {
        return EnumSet.copyOf(roles.isEmpty() ? EnumSet.noneOf(Role.class) : roles).stream()
                .map(Role::id).collect(Collectors.joining("+"));
    }
}
