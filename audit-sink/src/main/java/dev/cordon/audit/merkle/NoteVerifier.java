package dev.cordon.audit.merkle;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One trusted public key for signed notes, and {@link #open} to verify a note against a set of them
 * (c2sp.org/signed-note, "Signatures"). Supported signature types: 0x01 Ed25519 over the text, and 0x04
 * timestamped Ed25519 witness cosignatures ({@link Cosignature}). Immutable and thread-safe.
 *
 * <p>Rules applied by {@link #open}: a signature line whose key name and key ID both match a known key is
 * verified and a failure rejects the whole note ({@link NoteVerificationException.Reason#BAD_SIGNATURE});
 * lines from unknown keys (matching name or ID, but not both) are ignored; a note with no verified known
 * signature is rejected ({@link NoteVerificationException.Reason#NO_KNOWN_SIGNATURE}).
 */
public final class NoteVerifier {

    private final String keyName;
    private final int keyId;
    private final byte type;
    private final byte[] rawPublicKey;
    private final PublicKey publicKey;

    private NoteVerifier(String keyName, byte type, byte[] rawPublicKey) {
        this.keyName = keyName;
        this.type = type;
        this.rawPublicKey = rawPublicKey.clone();
        this.publicKey = NoteKeys.publicKeyFromRaw(rawPublicKey);
        this.keyId = NoteKeys.keyId(keyName, type, rawPublicKey);
    }

    /** A verifier for type 0x01 Ed25519 note signatures (e.g. the log's checkpoint key). */
    public static NoteVerifier ed25519(String keyName, PublicKey publicKey) {
        return new NoteVerifier(keyName, NoteKeys.TYPE_ED25519, NoteKeys.rawPublicKey(publicKey));
    }

    /** A verifier for type 0x04 witness cosignatures. */
    public static NoteVerifier cosignatureV1(String keyName, PublicKey publicKey) {
        return new NoteVerifier(keyName, NoteKeys.TYPE_COSIGNATURE_V1, NoteKeys.rawPublicKey(publicKey));
    }

    /**
     * Parses a verifier key {@code <name>+<hex key ID>+<base64(type || 32-byte public key)>}.
     *
     * @throws IllegalArgumentException if malformed, of an unsupported type (only 0x01 and 0x04), or if the key ID
     *                                  in the text is not the one computed from the name and key
     */
    public static NoteVerifier fromVerifierKey(String verifierKey) {
        NoteKeys.ParsedKey parsed = NoteKeys.parseKeyText(verifierKey, "verifierKey");
        if (parsed.type() != NoteKeys.TYPE_ED25519 && parsed.type() != NoteKeys.TYPE_COSIGNATURE_V1) {
            throw new IllegalArgumentException("verifierKey: signature type 0x" + String.format("%02x", parsed.type())
                    + " is not supported; use 0x01 (Ed25519) or 0x04 (cosignature/v1)");
        }
        NoteVerifier verifier = new NoteVerifier(parsed.name(), parsed.type(), parsed.material());
        if (verifier.keyId != parsed.keyId()) {
            throw new IllegalArgumentException("verifierKey: key ID " + NoteKeys.hexId(parsed.keyId())
                    + " does not match the name and key, which give " + NoteKeys.hexId(verifier.keyId));
        }
        return verifier;
    }

    /** @return the key name */
    public String keyName() {
        return keyName;
    }

    /** @return the 32-bit key ID */
    public int keyId() {
        return keyId;
    }

    /** @return 0x01 or 0x04 */
    public byte signatureType() {
        return type;
    }

    /** @return this key as verifier key text (round-trips through {@link #fromVerifierKey}) */
    public String verifierKey() {
        return keyName + "+" + NoteKeys.hexId(keyId) + "+"
                + Base64.getEncoder().encodeToString(NoteKeys.concat(new byte[] {type}, rawPublicKey));
    }

    /** @return true if the line claims to be from this key (same name and key ID) */
    public boolean matches(NoteSignature signature) {
        return signature.keyName().equals(keyName) && signature.keyId() == keyId;
    }

    /**
     * Checks the signature cryptographically (does not check {@link #matches}).
     *
     * @param text      the note text
     * @param signature the signature line
     * @return true if it verifies under this key
     */
    public boolean verify(String text, NoteSignature signature) {
        byte[] sig = signature.signature();
        byte[] message;
        if (type == NoteKeys.TYPE_COSIGNATURE_V1) {
            if (sig.length != Cosignature.SIGNATURE_LENGTH) {
                return false;
            }
            long timestamp;
            try {
                timestamp = Cosignature.timestamp(signature);
            } catch (IllegalArgumentException e) {
                return false;
            }
            message = Cosignature.signedMessage(timestamp, text);
            sig = Arrays.copyOfRange(sig, 8, sig.length);
        } else {
            message = text.getBytes(StandardCharsets.UTF_8);
        }
        if (sig.length != 64) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey);
            verifier.update(message);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            return false; // malformed signature or key point: it does not verify
        }
    }

    /**
     * Parses and verifies a signed note.
     *
     * @param note  the whole signed note
     * @param known the trusted keys (no two with the same name and key ID)
     * @return the text with the verified and the ignored signatures
     * @throws NoteVerificationException if malformed, a known key's signature fails, or no known key signed
     */
    public static VerifiedNote open(String note, Collection<NoteVerifier> known) {
        SignedNote parsed;
        try {
            parsed = SignedNote.parse(note);
        } catch (IllegalArgumentException e) {
            throw new NoteVerificationException(NoteVerificationException.Reason.MALFORMED, null, e.getMessage(), e);
        }
        return open(parsed, known);
    }

    /** Verifies an already parsed note; see {@link #open(String, Collection)}. */
    public static VerifiedNote open(SignedNote note, Collection<NoteVerifier> known) {
        Objects.requireNonNull(note, "note");
        Objects.requireNonNull(known, "known");
        Set<String> ids = new HashSet<>();
        for (NoteVerifier v : known) {
            if (!ids.add(v.keyName + "+" + NoteKeys.hexId(v.keyId))) {
                throw new IllegalArgumentException("known: two verifiers share name and key ID " + v.keyName
                        + "+" + NoteKeys.hexId(v.keyId) + "; their signatures would be ambiguous");
            }
        }
        List<NoteSignature> verified = new ArrayList<>();
        List<NoteSignature> unknown = new ArrayList<>();
        for (NoteSignature sig : note.signatures()) {
            NoteVerifier match = known.stream().filter(v -> v.matches(sig)).findFirst().orElse(null);
            if (match == null) {
                unknown.add(sig);
            } else if (match.verify(note.text(), sig)) {
                verified.add(sig);
            } else {
                throw new NoteVerificationException(NoteVerificationException.Reason.BAD_SIGNATURE, sig.keyName(),
                        "signature from known key " + sig.keyName() + "+" + NoteKeys.hexId(sig.keyId())
                                + " does not verify: the note was altered or forged", null);
            }
        }
        if (verified.isEmpty()) {
            throw new NoteVerificationException(NoteVerificationException.Reason.NO_KNOWN_SIGNATURE, null,
                    "no signature from a known key (" + known.size() + " known, " + unknown.size()
                            + " unknown signatures ignored)", null);
        }
        return new VerifiedNote(note.text(), verified, unknown);
    }

    @Override
    public String toString() {
        return "NoteVerifier[" + verifierKey() + "]";
    }
}
