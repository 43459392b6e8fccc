package dev.cordon.audit.merkle;

import java.util.Objects;

/** Thrown by {@link ProofResult#orThrow()} and {@link ProofVerifier#rootFromInclusionProof}; carries the typed failure. */
public final class ProofVerificationException extends RuntimeException {

    private final transient ProofResult.Failure failure;

    /** @param failure why the proof did not verify */
    public ProofVerificationException(ProofResult.Failure failure) {
        super(Objects.requireNonNull(failure, "failure").message());
        this.failure = failure;
    }

    /** @return why the proof did not verify */
    public ProofResult.Failure failure() {
        return failure;
    }
}
