package dev.cordon.audit.merkle;

import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * One signature line of a signed note (c2sp.org/signed-note, "Signatures"):
 * {@code — <key name> base64(key ID (4 bytes, big-endian) || signature)}.
 *
 * @param keyName   non-empty, no Unicode spaces, no '+'
 * @param keyId     the 32-bit key ID, see {@link NoteKeys#keyId}
 * @param signature the algorithm-specific signature bytes (64 for Ed25519; 8 + 64 for a timestamped
 *                  Ed25519 cosignature)
 */
public record NoteSignature(String keyName, int keyId, byte[] signature) {

    /** Em dash U+2014 followed by a space: the start of every signature line. */
    public static final String LINE_PREFIX = "\u2014 ";

    /** @throws IllegalArgumentException if the key name breaks the spec */
    public NoteSignature {
        NoteKeys.checkKeyName(keyName);
        signature = Objects.requireNonNull(signature, "signature").clone();
    }

    /** @return a copy of the signature bytes (without the key ID) */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** @return the line, without its trailing newline */
    public String toLine() {
        byte[] blob = new byte[4 + signature.length];
        blob[0] = (byte) (keyId >>> 24);
        blob[1] = (byte) (keyId >>> 16);
        blob[2] = (byte) (keyId >>> 8);
        blob[3] = (byte) keyId;
        System.arraycopy(signature, 0, blob, 4, signature.length);
        return LINE_PREFIX + keyName + " " + Base64.getEncoder().encodeToString(blob);
    }

    /**
     * Parses one signature line (without its newline).
     *
     * @throws IllegalArgumentException naming what is malformed
     */
    public static NoteSignature parseLine(String line) {
        Objects.requireNonNull(line, "line");
        if (!line.startsWith(LINE_PREFIX)) {
            throw new IllegalArgumentException("signature line: must start with \"\u2014 \" (U+2014, space): \""
                    + line + "\"");
        }
        String rest = line.substring(LINE_PREFIX.length());
        int space = rest.indexOf(' ');
        if (space <= 0 || rest.indexOf(' ', space + 1) >= 0) {
            throw new IllegalArgumentException("signature line: must be \"\u2014 <key name> <base64>\": \"" + line + "\"");
        }
        String name = rest.substring(0, space);
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(rest.substring(space + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("signature line for " + name + ": not standard base64", e);
        }
        if (blob.length < 5) {
            throw new IllegalArgumentException("signature line for " + name + ": " + blob.length
                    + " bytes, needs a 4-byte key ID and a signature");
        }
        int keyId = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
        return new NoteSignature(name, keyId, Arrays.copyOfRange(blob, 4, blob.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoteSignature other && keyName.equals(other.keyName) && keyId == other.keyId
                && Arrays.equals(signature, other.signature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyName, keyId, Arrays.hashCode(signature));
    }

    @Override
    public String toString() {
        return "NoteSignature[" + toLine() + "]";
    }
}
