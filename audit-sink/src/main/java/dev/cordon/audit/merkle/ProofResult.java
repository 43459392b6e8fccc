package dev.cordon.audit.merkle;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The typed outcome of a {@link ProofVerifier} check: {@link Valid} or one of the {@link Failure} kinds.
 * Switch over it, or call {@link #orThrow()}.
 */
public sealed interface ProofResult {

    /** @return true for {@link Valid} */
    default boolean isValid() {
        return this instanceof Valid;
    }

    /**
     * @throws ProofVerificationException carrying this failure, unless this is {@link Valid}
     */
    default void orThrow() {
        if (this instanceof Failure failure) {
            throw new ProofVerificationException(failure);
        }
    }

    /** The proof checks out against the given root(s). */
    record Valid() implements ProofResult {
    }

    /** Why a proof did not verify. */
    sealed interface Failure extends ProofResult {
        /** @return a sentence naming the field and what would have been valid */
        String message();
    }

    /**
     * The index or sizes are outside what the RFC defines (for example {@code index >= treeSize},
     * {@code size1 > size2}); no proof can be valid for them.
     *
     * @param field   the offending argument
     * @param message what would be valid
     */
    record InvalidArgument(String field, String message) implements Failure {
    }

    /**
     * The proof has the wrong number of hashes for these sizes (for example a truncated proof, trailing or
     * preceding garbage).
     *
     * @param expected the length RFC 9162 implies for the sizes
     * @param actual   the length given
     */
    record WrongProofLength(int expected, int actual) implements Failure {
        @Override
        public String message() {
            return "proof: has " + actual + " hashes, the sizes require " + expected;
        }
    }

    /**
     * A hash argument has the wrong length.
     *
     * @param field    {@code leafHash}, {@code root}, {@code root1}, {@code root2} or {@code proof[i]}
     * @param expected 32
     * @param actual   the length given
     */
    record WrongHashLength(String field, int expected, int actual) implements Failure {
        @Override
        public String message() {
            return field + ": " + actual + " bytes, must be " + expected;
        }
    }

    /**
     * The root recomputed from the proof differs from the expected root: a modified leaf, proof element
     * or root, or a proof for another index or size.
     *
     * @param field      the root that did not match: {@code root}, {@code root1} or {@code root2}
     * @param expected   the root the caller supplied
     * @param calculated the root the proof yields
     */
    record RootMismatch(String field, byte[] expected, byte[] calculated) implements Failure {
        public RootMismatch {
            expected = expected.clone();
            calculated = calculated.clone();
        }

        @Override
        public byte[] expected() {
            return expected.clone();
        }

        @Override
        public byte[] calculated() {
            return calculated.clone();
        }

        @Override
        public String message() {
            HexFormat hex = HexFormat.of();
            return field + ": the proof yields " + hex.formatHex(calculated) + ", expected " + hex.formatHex(expected);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RootMismatch other && field.equals(other.field)
                    && Arrays.equals(expected, other.expected)
                    && Arrays.equals(calculated, other.calculated);
        }

        @Override
        public int hashCode() {
            return field.hashCode() * 31 + Arrays.hashCode(calculated);
        }

        @Override
        public String toString() {
            return "RootMismatch[" + message() + "]";
        }
    }
}
