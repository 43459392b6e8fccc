package dev.cordon.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bearer tokens of the ingest API (RFC 6750) and their stored form.
 *
 * <p>Ingest never stores a token, only a salted hash: {@code <salt hex>:<sha256 hex>}, where the hash is
 * SHA-256 over the salt bytes (16 random bytes) followed by the token's UTF-8 bytes. A configured entry of
 * {@link IngestConfig#AUTH_TOKENS_CONFIG} adds the principal and its roles in front:
 * {@code <principal>:<role>[+<role>...]:<salt hex>:<sha256 hex>}, e.g. {@code alice:issuer+viewer:…:…}
 * ({@link Role}). The older form without roles, {@code <principal>:<salt hex>:<sha256 hex>}, is still read and
 * grants {@link #LEGACY_ROLES} (issue and read, as before roles existed).
 * A single salted SHA-256 (no key stretching) is adequate because tokens are random and long
 * ({@link #generate()}: 256 bits); do not configure hashes of short, human-chosen passwords. Comparison is
 * constant-time ({@link MessageDigest#isEqual}).
 *
 * <pre>{@code
 * String token = Tokens.generate();               // give to the operator
 * String entry = Tokens.entry("ops-alice", EnumSet.of(Role.ISSUER, Role.VIEWER), token); // put in ingest.auth.tokens
 * }</pre>
 */
public final class Tokens {
    /** Principals: letters, digits and {@code . _ @ -}, 1 to 64 characters (no {@code :} nor {@code ,}). */
    public static final Pattern PRINCIPAL = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    /**
     * A configured entry: principal, optional {@code +}-separated roles, 16-byte salt and SHA-256 digest (hex, any
     * case). Groups: 1 principal, 2 roles (may be {@code null}), 3 salt, 4 digest.
     */
    public static final Pattern ENTRY = Pattern.compile(
            "([A-Za-z0-9._@-]{1,64}):(?:([A-Za-z+]{1,64}):)?([0-9a-fA-F]{32}):([0-9a-fA-F]{64})");
    /** Roles of an entry written without roles (the form before issue 6). */
    public static final Set<Role> LEGACY_ROLES = Set.of(Role.ISSUER, Role.VIEWER);
    private static final int SALT_BYTES = 16;
    private static final int TOKEN_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** @return a new random token: 32 bytes from {@link SecureRandom}, base64url without padding (43 chars) */
    public static String generate() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * @param token the secret token
     * @return its stored form {@code <salt hex>:<sha256 hex>} with a fresh random salt
     */
    public static String hash(String token) {
        Objects.requireNonNull(token, "token");
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        HexFormat hex = HexFormat.of();
        return hex.formatHex(salt) + ":" + hex.formatHex(digest(salt, token));
    }

    /**
     * @param principal who the token authenticates; must match {@link #PRINCIPAL}
     * @param token     the secret token
     * @return a configuration entry {@code <principal>:<salt hex>:<sha256 hex>} for {@link IngestConfig#AUTH_TOKENS_CONFIG}
     * @throws IllegalArgumentException if the principal does not match {@link #PRINCIPAL}
     */
    public static String entry(String principal, String token) {
        if (principal == null || !PRINCIPAL.matcher(principal).matches()) {
            throw new IllegalArgumentException("principal `" + principal + "` is not valid; use 1 to 64 letters, "
                    + "digits and `. _ @ -`");
        }
        return principal + ":" + hash(token);
    }

    /**
     * @param principal who the token authenticates; must match {@link #PRINCIPAL}
     * @param roles     granted roles, at least one
     * @param token     the secret token
     * @return {@code <principal>:<roles>:<salt hex>:<sha256 hex>} for {@link IngestConfig#AUTH_TOKENS_CONFIG}
     * @throws IllegalArgumentException if the principal does not match {@link #PRINCIPAL} or no role is given
     */
    public static String entry(String principal, Set<Role> roles, String token) {
        if (roles == null || roles.isEmpty()) {
            throw new IllegalArgumentException("at least one role is required: issuer, approver, viewer or auditor");
        }
        String legacy = entry(principal, token);
        int colon = legacy.indexOf(':');
        return legacy.substring(0, colon) + ":" + Role.join(roles) + legacy.substring(colon);
    }

    /**
     * A parsed configuration entry.
     *
     * @param principal  who
     * @param roles      granted roles ({@link #LEGACY_ROLES} for an entry without roles)
     * @param storedHash {@code <salt hex>:<sha256 hex>}
     * @param legacy     whether the entry had no roles
     */
    public record Entry(String principal, Set<Role> roles, String storedHash, boolean legacy) {
    }

    /**
     * @param entry a configured entry (surrounding blanks ignored)
     * @return its parts
     * @throws IllegalArgumentException when it is not of the {@link #ENTRY} form or names an unknown role; the
     *                                  message never repeats the entry (it may be a token pasted by mistake)
     */
    public static Entry parse(String entry) {
        Matcher m = ENTRY.matcher(entry == null ? "" : entry.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("is not <principal>:<roles>:<32 hex salt>:<64 hex sha256>; generate "
                    + "entries with `cordon token new` or Tokens.entry(principal, roles, token)");
        }
        Set<Role> roles;
        if (m.group(2) == null) {
            roles = LEGACY_ROLES;
        } else {
            roles = EnumSet.noneOf(Role.class);
            for (String r : m.group(2).split("\\+")) {
                if (!r.isEmpty()) {
                    roles.add(Role.of(r));
                }
            }
            if (roles.isEmpty()) {
                throw new IllegalArgumentException("names no role; use issuer, approver, viewer or auditor joined by `+`");
            }
        }
        return new Entry(m.group(1), Set.copyOf(roles), m.group(3) + ":" + m.group(4), m.group(2) == null);
    }

    /**
     * @param storedHash {@code <salt hex>:<sha256 hex>} as produced by {@link #hash}
     * @param token      the presented token
     * @return whether the token hashes to the stored digest (constant-time comparison of the digests)
     * @throws IllegalArgumentException if {@code storedHash} is not of that form
     */
    public static boolean matches(String storedHash, String token) {
        int colon = storedHash.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("stored hash must be <salt hex>:<sha256 hex>");
        }
        HexFormat hex = HexFormat.of();
        byte[] salt = hex.parseHex(storedHash, 0, colon);
        byte[] expected = hex.parseHex(storedHash, colon + 1, storedHash.length());
        return MessageDigest.isEqual(expected, digest(salt, token));
    }

    private static byte[] digest(byte[] salt, String token) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(salt);
            return sha256.digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
