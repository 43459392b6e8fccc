package dev.cordon.ingest.internal;

import dev.cordon.ingest.Role;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who issued a request, with the roles its token grants (issue 6 point 1).
 *
 * @param name  authenticated name; {@code null} when authentication is disabled
 * @param roles granted roles; every role when authentication is disabled
 */
public record Principal(String name, Set<Role> roles) {
    /** The principal of every request when {@code ingest.auth.disabled=true}: anonymous, every role. */
    public static final Principal UNAUTHENTICATED = new Principal(null, EnumSet.allOf(Role.class));

    public Principal {
        roles = Set.copyOf(roles);
    }

    /** @return the name for audit records and messages: the name, or {@code (authentication disabled)} */
    public String display() {
        return name == null ? "(authentication disabled)" : name;
    }

    /** @return whether it holds at least one of {@code any} */
    public boolean hasAny(Set<Role> any) {
        for (Role r : any) {
            if (roles.contains(r)) {
                return true;
            }
        }
        return false;
    }
}
