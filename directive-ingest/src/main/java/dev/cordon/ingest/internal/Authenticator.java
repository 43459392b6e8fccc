package dev.cordon.ingest.internal;

import dev.cordon.ingest.Role;
import dev.cordon.ingest.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Authenticates requests by bearer token (RFC 6750 §2.1: {@code Authorization: Bearer <token>}) against the
 * salted hashes of {@link Tokens}. A missing or unknown token is refused with 401 and a
 * {@code WWW-Authenticate} challenge (RFC 6750 §3). Every configured entry is compared, so the time taken does
 * not depend on which entry matched.
 */
public final class Authenticator {
    static final String REALM = "cordon-ingest";
    private final List<Entry> entries;
    private final boolean disabled;

    private record Entry(String principal, Set<Role> roles, String storedHash) {
    }

    private Authenticator(List<Entry> entries, boolean disabled) {
        this.entries = List.copyOf(entries);
        this.disabled = disabled;
    }

    /** @return an authenticator that lets every request in as {@link Principal#UNAUTHENTICATED} */
    public static Authenticator disabled() {
        return new Authenticator(List.of(), true);
    }

    /**
     * @param configured entries {@code <principal>[:<roles>]:<salt hex>:<sha256 hex>} ({@link Tokens#parse})
     * @throws IllegalArgumentException naming the (1-based) entry that is malformed
     */
    public static Authenticator of(List<String> configured) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < configured.size(); i++) {
            Tokens.Entry parsed;
            try {
                parsed = Tokens.parse(configured.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("token entry " + (i + 1) + " " + e.getMessage());
            }
            entries.add(new Entry(parsed.principal(), parsed.roles(), parsed.storedHash()));
        }
        return new Authenticator(entries, false);
    }

    /** @return whether every request is let in */
    public boolean isDisabled() {
        return disabled;
    }

    /**
     * @param authorization the {@code Authorization} header, or {@code null}
     * @return the principal the token belongs to
     * @throws RefusedException 401 with a {@code WWW-Authenticate: Bearer} challenge
     */
    public Principal authenticate(String authorization) throws RefusedException {
        if (disabled) {
            return Principal.UNAUTHENTICATED;
        }
        if (authorization == null || authorization.isBlank()) {
            throw refused("authentication required: send `Authorization: Bearer <token>`",
                    "Bearer realm=\"" + REALM + "\"");
        }
        String value = authorization.trim();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
            throw refused("the `Authorization` header must use the Bearer scheme: `Bearer <token>`",
                    "Bearer realm=\"" + REALM + "\", error=\"invalid_request\"");
        }
        String token = value.substring(space + 1).trim();
        Entry matched = null;
        for (Entry entry : entries) {
            if (Tokens.matches(entry.storedHash(), token) && matched == null) {
                matched = entry;
            }
        }
        if (matched == null) {
            throw refused("the bearer token is not valid", "Bearer realm=\"" + REALM + "\", error=\"invalid_token\"");
        }
        return new Principal(matched.principal(), matched.roles());
    }

    private static RefusedException refused(String message, String challenge) {
        return new RefusedException(List.of(new ApiError(ApiError.UNAUTHORIZED, null, message)),
                Map.of("WWW-Authenticate", challenge));
    }
}
