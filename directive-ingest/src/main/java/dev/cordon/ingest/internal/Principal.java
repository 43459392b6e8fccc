package dev.cordon.ingest.internal;

import java.util.Set;

/**
 * Who issued a request. Roles are carried for the coming authorisation rules (four-eyes, issuer roles) and
 * empty for now.
 *
 * @param name  authenticated name; {@code null} when authentication is disabled
 * @param roles granted roles, empty for now
 */
public record Principal(String name, Set<String> roles) {
    /** The principal of every request when {@code ingest.auth.disabled=true}. */
    public static final Principal UNAUTHENTICATED = new Principal(null, Set.of());

    public Principal {
        roles = Set.copyOf(roles);
    }
}
