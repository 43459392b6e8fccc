package dev.cordon.audit.merkle;

/** A signed note that must be rejected (c2sp.org/signed-note, "Signatures"). */
public final class NoteVerificationException extends RuntimeException {

    /** Why the note was rejected. */
    public enum Reason {
        /** The note does not follow the signed-note format. */
        MALFORMED,
        /** A signature from a known key (same name and key ID) does not verify: reject the whole note. */
        BAD_SIGNATURE,
        /** No signature from a known key: the text must not be trusted. */
        NO_KNOWN_SIGNATURE
    }

    private final Reason reason;
    private final String keyName;

    NoteVerificationException(Reason reason, String keyName, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.keyName = keyName;
    }

    /** @return why the note was rejected */
    public Reason reason() {
        return reason;
    }

    /** @return the key whose signature failed, or {@code null} when no single key is at fault */
    public String keyName() {
        return keyName;
    }
}
