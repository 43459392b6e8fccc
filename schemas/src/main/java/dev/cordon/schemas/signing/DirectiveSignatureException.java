package dev.cordon.schemas.signing;

/**
 * A {@code DirectiveChange} record whose signature does not verify ({@link DirectiveSignatures#verify}). It is a
 * fact about the record, never about the environment: a consumer dead-letters the record and audits the
 * refusal; it must not retry it.
 */
public final class DirectiveSignatureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a record was refused. */
    public enum Reason {
        /** No signature header, or no key-id header. */
        UNSIGNED,
        /** The key id is not among the trusted keys. */
        UNKNOWN_KEY,
        /** The signature header is not 64 bytes, or the key id header is not valid UTF-8 text. */
        MALFORMED,
        /** The signature does not verify against the trusted key of that id: the record was altered or forged. */
        FORGED
    }

    private final Reason reason;
    private final String keyId;

    DirectiveSignatureException(Reason reason, String keyId, String message) {
        super(message);
        this.reason = reason;
        this.keyId = keyId;
    }

    /** @return why the record was refused */
    public Reason reason() {
        return reason;
    }

    /** @return the key id the record named, or {@code null} when it named none */
    public String keyId() {
        return keyId;
    }
}
