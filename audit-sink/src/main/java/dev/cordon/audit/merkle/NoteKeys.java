package dev.cordon.audit.merkle;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * Ed25519 keys for signed notes, with the JDK's {@code Ed25519} provider (RFC 8032):
 * generation, raw 32-byte encodings (RFC 8032 public key, private seed), the standard PKCS#8 / X.509
 * encodings ({@link java.security.Key#getEncoded()}), key IDs, and the text key formats of the Go
 * {@code golang.org/x/mod/sumdb/note} ecosystem:
 * <ul>
 *   <li>verifier key ("vkey", c2sp.org/signed-note): {@code <name>+<hex key ID>+<base64(type || public key)>}</li>
 *   <li>signer key: {@code PRIVATE+KEY+<name>+<hex key ID>+<base64(type || 32-byte seed)>}</li>
 * </ul>
 * Signature types (signed-note "Signature types"): {@link #TYPE_ED25519} = 0x01,
 * {@link #TYPE_COSIGNATURE_V1} = 0x04 (c2sp.org/tlog-cosignature).
 */
public final class NoteKeys {

    /** Signature type 0x01: Ed25519 over the note text (c2sp.org/signed-note). */
    public static final byte TYPE_ED25519 = 0x01;
    /** Signature type 0x04: timestamped Ed25519 witness cosignature (c2sp.org/tlog-cosignature). */
    public static final byte TYPE_COSIGNATURE_V1 = 0x04;

    private static final int RAW_KEY_SIZE = 32;
    // DER prefixes of the fixed-length RFC 8410 encodings of Ed25519 keys.
    private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");
    private static final String SIGNER_KEY_PREFIX = "PRIVATE+KEY+";

    private NoteKeys() {
    }

    /** @return a fresh Ed25519 key pair from the default {@link java.security.SecureRandom} */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Ed25519 is required of Java 15+", e);
        }
    }

    /** @return the 32-byte RFC 8032 encoding of an Ed25519 public key */
    public static byte[] rawPublicKey(PublicKey key) {
        return stripPrefix(Objects.requireNonNull(key, "key").getEncoded(), X509_PREFIX, "public key");
    }

    /** @return the 32-byte private seed of an Ed25519 private key (keep it secret) */
    public static byte[] rawPrivateKey(PrivateKey key) {
        return stripPrefix(Objects.requireNonNull(key, "key").getEncoded(), PKCS8_PREFIX, "private key");
    }

    /**
     * @param raw the 32-byte RFC 8032 public key
     * @throws IllegalArgumentException if it is not 32 bytes or not a valid encoding
     */
    public static PublicKey publicKeyFromRaw(byte[] raw) {
        checkRaw(raw, "public key");
        return publicKeyFromX509(concat(X509_PREFIX, raw));
    }

    /**
     * @param seed the 32-byte private seed
     * @throws IllegalArgumentException if it is not 32 bytes
     */
    public static PrivateKey privateKeyFromRaw(byte[] seed) {
        checkRaw(seed, "private key");
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("private key: not an Ed25519 seed: " + e.getMessage(), e);
        }
    }

    /** @param der an X.509 SubjectPublicKeyInfo ({@code PublicKey.getEncoded()}) of an Ed25519 key */
    public static PublicKey publicKeyFromX509(byte[] der) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("public key: not an X.509 Ed25519 key: " + e.getMessage(), e);
        }
    }

    /** @param der a PKCS#8 PrivateKeyInfo ({@code PrivateKey.getEncoded()}) of an Ed25519 key */
    public static PrivateKey privateKeyFromPkcs8(byte[] der) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("private key: not a PKCS#8 Ed25519 key: " + e.getMessage(), e);
        }
    }

    /**
     * The recommended key ID (signed-note "Signatures"):
     * {@code SHA-256(key name || 0x0A || signature type || public key)[:4]}, big-endian.
     *
     * @param keyName        the key name
     * @param signatureType  {@link #TYPE_ED25519} or {@link #TYPE_COSIGNATURE_V1}
     * @param rawPublicKey   the 32-byte public key
     */
    public static int keyId(String keyName, byte signatureType, byte[] rawPublicKey) {
        checkKeyName(keyName);
        checkRaw(rawPublicKey, "public key");
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(keyName.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) '\n');
            digest.update(signatureType);
            byte[] h = digest.digest(rawPublicKey);
            return ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the verifier key text {@code <name>+<hex key ID>+<base64(type || public key)>} */
    public static String verifierKey(String keyName, byte signatureType, PublicKey publicKey) {
        byte[] raw = rawPublicKey(publicKey);
        return keyName + "+" + hexId(keyId(keyName, signatureType, raw)) + "+"
                + Base64.getEncoder().encodeToString(concat(new byte[] {signatureType}, raw));
    }

    /**
     * @return the Go-compatible signer key text {@code PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>};
     *         a secret, to be stored like a password
     */
    public static String signerKey(String keyName, KeyPair keyPair) {
        int id = keyId(keyName, TYPE_ED25519, rawPublicKey(keyPair.getPublic()));
        return SIGNER_KEY_PREFIX + keyName + "+" + hexId(id) + "+"
                + Base64.getEncoder().encodeToString(concat(new byte[] {TYPE_ED25519}, rawPrivateKey(keyPair.getPrivate())));
    }

    /** Parsed form of a verifier or signer key text. */
    record ParsedKey(String name, int keyId, byte type, byte[] material) {
    }

    /** Splits {@code <name>+<hex8>+<base64>}; the base64 part may itself contain '+'. */
    static ParsedKey parseKeyText(String text, String what) {
        Objects.requireNonNull(text, what);
        int plus1 = text.indexOf('+');
        int plus2 = plus1 < 0 ? -1 : text.indexOf('+', plus1 + 1);
        if (plus1 <= 0 || plus2 < 0) {
            throw new IllegalArgumentException(what + ": must be <name>+<8 hex digits>+<base64>");
        }
        String name = text.substring(0, plus1);
        String hex = text.substring(plus1 + 1, plus2);
        if (!hex.matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException(what + ": key ID \"" + hex + "\" must be 8 lower-case hex digits");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(text.substring(plus2 + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": key material is not standard base64", e);
        }
        if (blob.length != 1 + RAW_KEY_SIZE) {
            throw new IllegalArgumentException(what + ": key material is " + blob.length
                    + " bytes, must be 1 type byte + 32 key bytes");
        }
        checkKeyName(name);
        return new ParsedKey(name, Integer.parseUnsignedInt(hex, 16), blob[0], Arrays.copyOfRange(blob, 1, blob.length));
    }

    static ParsedKey parseSignerKey(String text) {
        Objects.requireNonNull(text, "signerKey");
        if (!text.startsWith(SIGNER_KEY_PREFIX)) {
            throw new IllegalArgumentException("signerKey: must start with " + SIGNER_KEY_PREFIX);
        }
        return parseKeyText(text.substring(SIGNER_KEY_PREFIX.length()), "signerKey");
    }

    static String hexId(int keyId) {
        return String.format(Locale.ROOT, "%08x", keyId);
    }

    /** Key names are non-empty and contain no Unicode spaces and no '+' (signed-note "Format"). */
    static void checkKeyName(String keyName) {
        Objects.requireNonNull(keyName, "keyName");
        if (keyName.isEmpty()) {
            throw new IllegalArgumentException("keyName: must be non-empty");
        }
        for (int i = 0; i < keyName.length(); i++) {
            char c = keyName.charAt(i);
            if (c == '+' || Character.isWhitespace(c) || Character.isSpaceChar(c) || c < 0x20) {
                throw new IllegalArgumentException("keyName: \"" + keyName
                        + "\" must not contain spaces, control characters or '+' (signed-note)");
            }
        }
    }

    private static void checkRaw(byte[] raw, String what) {
        Objects.requireNonNull(raw, what);
        if (raw.length != RAW_KEY_SIZE) {
            throw new IllegalArgumentException(what + ": " + raw.length + " bytes, an Ed25519 key is 32");
        }
    }

    private static byte[] stripPrefix(byte[] der, byte[] prefix, String what) {
        if (der == null || der.length != prefix.length + RAW_KEY_SIZE
                || !Arrays.equals(der, 0, prefix.length, prefix, 0, prefix.length)) {
            throw new IllegalArgumentException(what + ": not an Ed25519 key in its standard encoding");
        }
        return Arrays.copyOfRange(der, prefix.length, der.length);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
