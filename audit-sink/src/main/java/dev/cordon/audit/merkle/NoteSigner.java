package dev.cordon.audit.merkle;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.List;
import java.util.Objects;

/**
 * Signs notes with an Ed25519 key, signature type 0x01 (c2sp.org/signed-note, "Ed25519 signatures"):
 * the signature is RFC 8032 Ed25519 over the UTF-8 note text, and the key ID is
 * {@code SHA-256(key name || 0x0A || 0x01 || public key)[:4]}. Ed25519 is deterministic, so the same key and
 * text always give the same signature line. The log signs its {@link Checkpoint}s with this; the C2SP
 * tlog-checkpoint spec says the key name SHOULD equal the checkpoint origin. Thread-safe.
 */
public final class NoteSigner {

    private final String keyName;
    private final int keyId;
    private final PrivateKey privateKey;

    private NoteSigner(String keyName, int keyId, PrivateKey privateKey) {
        this.keyName = keyName;
        this.keyId = keyId;
        this.privateKey = privateKey;
    }

    /**
     * @param keyName the key name (non-empty, no spaces, no '+'), e.g. the log origin {@code cordon.example/audit}
     * @param keyPair an Ed25519 key pair ({@link NoteKeys#generate()})
     */
    public static NoteSigner of(String keyName, KeyPair keyPair) {
        Objects.requireNonNull(keyPair, "keyPair");
        int id = NoteKeys.keyId(keyName, NoteKeys.TYPE_ED25519, NoteKeys.rawPublicKey(keyPair.getPublic()));
        return new NoteSigner(keyName, id, keyPair.getPrivate());
    }

    /**
     * Reads a signer key in the Go {@code sumdb/note} text form
     * {@code PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>} ({@link NoteKeys#signerKey}).
     * The key ID is taken from the text (the JDK cannot derive the public key from the seed to recheck it).
     *
     * @throws IllegalArgumentException if the text is malformed or the type is not 0x01
     */
    public static NoteSigner fromSignerKey(String signerKey) {
        NoteKeys.ParsedKey parsed = NoteKeys.parseSignerKey(signerKey);
        if (parsed.type() != NoteKeys.TYPE_ED25519) {
            throw new IllegalArgumentException("signerKey: signature type 0x" + String.format("%02x", parsed.type())
                    + " is not supported; only 0x01 (Ed25519)");
        }
        return new NoteSigner(parsed.name(), parsed.keyId(), NoteKeys.privateKeyFromRaw(parsed.material()));
    }

    /** @return the key name used in signature lines */
    public String keyName() {
        return keyName;
    }

    /** @return the 32-bit key ID */
    public int keyId() {
        return keyId;
    }

    /**
     * @param text the note text (non-empty, ending in newline, no control characters but newline)
     * @return the signature line for it
     */
    public NoteSignature sign(String text) {
        SignedNote.checkText(text);
        return new NoteSignature(keyName, keyId, ed25519(privateKey, text.getBytes(StandardCharsets.UTF_8)));
    }

    /** @return {@code text} signed by this key alone */
    public SignedNote signNote(String text) {
        return new SignedNote(text, List.of(sign(text)));
    }

    /** @return the checkpoint's text signed by this key (c2sp.org/tlog-checkpoint) */
    public SignedNote signCheckpoint(Checkpoint checkpoint) {
        return signNote(checkpoint.toText());
    }

    static byte[] ed25519(PrivateKey key, byte[] message) {
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(key);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "NoteSigner[" + keyName + "+" + NoteKeys.hexId(keyId) + "]";
    }
}
