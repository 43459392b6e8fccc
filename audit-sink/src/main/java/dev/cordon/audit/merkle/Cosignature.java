package dev.cordon.audit.merkle;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Objects;

/**
 * Ed25519 witness cosignatures, signature type 0x04 (c2sp.org/tlog-cosignature, "Format" and
 * "Ed25519 signed message").
 *
 * <pre>
 * key ID    = SHA-256(&lt;cosigner name&gt; || "\n" || 0x04 || 32-byte public key)[:4]
 * signature = timestamp (u64, big-endian, POSIX seconds) || Ed25519(message)           (8 + 64 bytes)
 * message   = "cosignature/v1\n" || "time " || &lt;timestamp, decimal&gt; || "\n" || checkpoint note text
 * </pre>
 * A v1 cosignature states that, at that time, the cosigner had seen no larger consistent tree for the
 * origin than this checkpoint. Verify with {@link NoteVerifier#cosignatureV1} or a vkey of type 0x04.
 * The message does not commit to the cosigner name, so one key must not serve two cosigners.
 */
public final class Cosignature {

    /** The domain-separation header line. */
    public static final String HEADER = "cosignature/v1\n";
    /** Length of the signature part of the line: 8-byte timestamp + 64-byte Ed25519 signature. */
    public static final int SIGNATURE_LENGTH = 8 + 64;

    private Cosignature() {
    }

    /**
     * @param cosignerName     the witness name (non-empty, no spaces, no '+'), e.g. {@code witness.example/w1}
     * @param keyPair          the witness's Ed25519 key pair
     * @param timestampSeconds POSIX seconds, {@code >= 0}
     * @param checkpointText   the checkpoint note text (with any extension lines)
     * @return the signature line to append to the checkpoint's signed note
     */
    public static NoteSignature sign(String cosignerName, KeyPair keyPair, long timestampSeconds, String checkpointText) {
        Objects.requireNonNull(keyPair, "keyPair");
        SignedNote.checkText(checkpointText);
        if (timestampSeconds < 0) {
            throw new IllegalArgumentException("timestampSeconds: " + timestampSeconds + " must be >= 0");
        }
        int keyId = NoteKeys.keyId(cosignerName, NoteKeys.TYPE_COSIGNATURE_V1, NoteKeys.rawPublicKey(keyPair.getPublic()));
        byte[] sig = NoteSigner.ed25519(keyPair.getPrivate(), signedMessage(timestampSeconds, checkpointText));
        byte[] blob = new byte[SIGNATURE_LENGTH];
        for (int i = 0; i < 8; i++) {
            blob[i] = (byte) (timestampSeconds >>> (56 - 8 * i));
        }
        System.arraycopy(sig, 0, blob, 8, sig.length);
        return new NoteSignature(cosignerName, keyId, blob);
    }

    /**
     * @return the POSIX-seconds timestamp of a type-0x04 cosignature (not verified)
     * @throws IllegalArgumentException if the signature is not 72 bytes or the timestamp exceeds 2^63-1
     */
    public static long timestamp(NoteSignature signature) {
        byte[] blob = signature.signature();
        if (blob.length != SIGNATURE_LENGTH) {
            throw new IllegalArgumentException("signature of " + signature.keyName() + ": " + blob.length
                    + " bytes, a cosignature/v1 is 72 (timestamp + Ed25519)");
        }
        long t = 0;
        for (int i = 0; i < 8; i++) {
            t = (t << 8) | (blob[i] & 0xff);
        }
        if (t < 0) {
            throw new IllegalArgumentException("signature of " + signature.keyName() + ": timestamp exceeds 2^63-1");
        }
        return t;
    }

    /** @return the exact bytes an Ed25519 cosigner signs for this timestamp and checkpoint text */
    public static byte[] signedMessage(long timestampSeconds, String checkpointText) {
        return (HEADER + "time " + timestampSeconds + "\n" + checkpointText).getBytes(StandardCharsets.UTF_8);
    }
}
