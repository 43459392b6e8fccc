package dev.cordon.schemas.signing;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An Ed25519 key pair (RFC 8032) that signs directive changes, with its key id. DESIGN.md "Stack": Ed25519 from
 * the JDK, no extra library.
 *
 * <p>Stored forms: the private key as base64 of its PKCS#8 DER encoding ({@link #privateKeyBase64()}), the public
 * key as base64 of its X.509 SubjectPublicKeyInfo DER encoding; a trusted-key entry is
 * {@code <keyId>:<public key base64>} ({@link #trustedEntry()}, read by {@link TrustedKeys#parse}).
 *
 * @param keyId      {@link #KEY_ID} characters; by default {@code ed25519-} + the first 16 hex digits of the
 *                   SHA-256 of the public key's X.509 encoding
 * @param privateKey the signing half
 * @param publicKey  the verifying half
 */
public record SigningKey(String keyId, PrivateKey privateKey, PublicKey publicKey) {
    /** Key ids: 1 to 64 letters, digits and {@code . _ -} (they travel in a Kafka header and config lists). */
    public static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** The JCA algorithm name. */
    public static final String ALGORITHM = "Ed25519";

    public SigningKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(publicKey, "publicKey");
        if (!KEY_ID.matcher(keyId).matches()) {
            throw new IllegalArgumentException("key id `" + keyId + "` is not valid; use 1 to 64 letters, digits and `. _ -`");
        }
    }

    /** @return a fresh random key pair with the default key id */
    public static SigningKey generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            return new SigningKey(defaultKeyId(pair.getPublic()), pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is required of every Java 15+ platform", e);
        }
    }

    /**
     * @param keyId         the key id, or {@code null} for the default one
     * @param pkcs8Base64   base64 (standard alphabet, padding optional) of the PKCS#8 DER encoding of an Ed25519
     *                      private key, as {@link #privateKeyBase64()} writes it
     * @return the key pair (the public half is derived from the private one)
     * @throws IllegalArgumentException when the text is not base64 of an Ed25519 PKCS#8 key; the message never
     *                                  repeats the text
     */
    public static SigningKey fromPrivateKey(String keyId, String pkcs8Base64) {
        try {
            byte[] der = Base64.getMimeDecoder().decode(pkcs8Base64.trim());
            PrivateKey privateKey = KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
            PublicKey publicKey = derivePublic(der);
            return new SigningKey(keyId == null ? defaultKeyId(publicKey) : keyId, privateKey, publicKey);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the private key is not base64 of a PKCS#8-encoded Ed25519 key ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** @return base64 of the PKCS#8 DER encoding of the private key (a secret: store it like a password) */
    public String privateKeyBase64() {
        return Base64.getEncoder().encodeToString(privateKey.getEncoded());
    }

    /** @return base64 of the X.509 SubjectPublicKeyInfo DER encoding of the public key */
    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    /** @return {@code <keyId>:<public key base64>}, an entry for {@link TrustedKeys#parse} */
    public String trustedEntry() {
        return keyId + ":" + publicKeyBase64();
    }

    /** @return {@code ed25519-} + the first 16 hex digits of SHA-256 over the X.509 encoding of {@code publicKey} */
    public static String defaultKeyId(PublicKey publicKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
            return "ed25519-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /**
     * Derives the public half of a JDK-encoded (PKCS#8 v1, RFC 8410) Ed25519 private key: the JCA has no API
     * for it, so the JDK's own generator is run on the key's 32-byte seed, and the result is accepted only if
     * it re-encodes to exactly the given private key (so a generator that drew its randomness differently fails
     * loudly instead of yielding a wrong key).
     */
    private static PublicKey derivePublic(byte[] pkcs8) throws GeneralSecurityException {
        // RFC 8410: the 32-byte seed is the last 32 bytes of the OCTET STRING wrapped in the PKCS#8 privateKey
        // field for a v1 encoding (48 bytes in total, as the JDK writes it).
        if (pkcs8.length < 32) {
            throw new java.security.spec.InvalidKeySpecException("too short");
        }
        byte[] seed = java.util.Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
        KeyPairGenerator generator = KeyPairGenerator.getInstance(ALGORITHM);
        generator.initialize(java.security.spec.NamedParameterSpec.ED25519, new FixedSeed(seed));
        KeyPair pair = generator.generateKeyPair();
        if (!java.util.Arrays.equals(pair.getPrivate().getEncoded(), pkcs8)) {
            throw new java.security.spec.InvalidKeySpecException("not a v1 PKCS#8 Ed25519 key as the JDK encodes it");
        }
        return pair.getPublic();
    }

    /** Hands the generator exactly the given seed: the Ed25519 private key is the 32 random bytes it draws. */
    private static final class FixedSeed extends java.security.SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] seed;

        FixedSeed(byte[] seed) {
            this.seed = seed.clone();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            if (bytes.length != seed.length) {
                throw new IllegalStateException("unexpected draw of " + bytes.length + " bytes");
            }
            System.arraycopy(seed, 0, bytes, 0, bytes.length);
        }
    }
}
