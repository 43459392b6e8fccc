package dev.cordon.schemas.signing;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The public keys a reader of directive-changes trusts, by key id. Several keys allow rotation: trust the new key
 * everywhere, then switch ingest to it, then drop the old one once no record signed by it needs reading.
 * Immutable and thread-safe.
 */
public final class TrustedKeys {
    private final Map<String, PublicKey> keys;

    private TrustedKeys(Map<String, PublicKey> keys) {
        this.keys = Map.copyOf(keys);
    }

    /**
     * @param entries {@code <keyId>:<base64 X.509 SubjectPublicKeyInfo of an Ed25519 key>} each, as
     *                {@link SigningKey#trustedEntry()} writes them; blank entries are skipped
     * @return the trusted keys
     * @throws IllegalArgumentException naming the 1-based entry that is malformed, not Ed25519, or repeats a key id
     */
    public static TrustedKeys parse(Collection<String> entries) {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        int i = 0;
        for (String raw : entries) {
            i++;
            String entry = raw == null ? "" : raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("trusted key entry " + i + " is not <keyId>:<base64 public key>");
            }
            String keyId = entry.substring(0, colon);
            if (!SigningKey.KEY_ID.matcher(keyId).matches()) {
                throw new IllegalArgumentException("trusted key entry " + i + ": key id `" + keyId
                        + "` is not valid; use 1 to 64 letters, digits and `. _ -`");
            }
            PublicKey key;
            try {
                byte[] der = Base64.getMimeDecoder().decode(entry.substring(colon + 1));
                key = KeyFactory.getInstance(SigningKey.ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalArgumentException("trusted key entry " + i + " (`" + keyId + "`): the public key is "
                        + "not base64 of an X.509-encoded Ed25519 key (" + e.getClass().getSimpleName() + ")");
            }
            if (keys.putIfAbsent(keyId, key) != null) {
                throw new IllegalArgumentException("trusted key entry " + i + ": key id `" + keyId + "` is listed twice");
            }
        }
        return new TrustedKeys(keys);
    }

    /** @return the given keys trusted under their own key ids */
    public static TrustedKeys of(SigningKey... keys) {
        Map<String, PublicKey> map = new LinkedHashMap<>();
        for (SigningKey k : keys) {
            map.put(k.keyId(), k.publicKey());
        }
        return new TrustedKeys(map);
    }

    /** @return these keys plus {@code key} (replacing a key of the same id) */
    public TrustedKeys with(SigningKey key) {
        Map<String, PublicKey> map = new LinkedHashMap<>(keys);
        map.put(key.keyId(), key.publicKey());
        return new TrustedKeys(map);
    }

    /** @return the key of that id, if trusted */
    public Optional<PublicKey> get(String keyId) {
        return Optional.ofNullable(keys.get(keyId));
    }

    /** @return the trusted key ids */
    public Set<String> keyIds() {
        return keys.keySet();
    }

    /** @return whether no key is trusted (then every record is refused) */
    public boolean isEmpty() {
        return keys.isEmpty();
    }

    @Override
    public String toString() {
        return "TrustedKeys" + List.copyOf(keys.keySet());
    }
}
