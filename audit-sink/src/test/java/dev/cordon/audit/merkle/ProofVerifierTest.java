package dev.cordon.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden vectors and adversarial fixtures; each fixture is named after the mutation it applies to a
 * happy path (after transparency-dev/merkle testdata/inclusion and testdata/consistency).
 */
class ProofVerifierTest {

    private static final Rfc6962Vectors VECTORS = Rfc6962Vectors.load();
    private static final Rfc6962Hasher H = Rfc6962Hasher.SHA256;
    private static final byte[] SOME_HASH = Rfc6962Vectors.hex("abacaba000000000000000000000000000000000000000000060061e00123456");
    private static final byte[] SHORT = "WrongRoot".getBytes(StandardCharsets.US_ASCII);

    @Test
    void shouldVerifyTheGoldenInclusionProofs() {
        for (Rfc6962Vectors.Inclusion v : VECTORS.inclusions) {
            // Given
            byte[] leafHash = H.hashLeaf(VECTORS.leaves.get((int) v.index()));
            byte[] root = VECTORS.roots.get((int) v.size());

            // When
            ProofResult result = ProofVerifier.verifyInclusion(v.index(), v.size(), leafHash, v.proof(), root);
            byte[] computed = ProofVerifier.rootFromInclusionProof(v.index(), v.size(), leafHash, v.proof());

            // Then
            assertThat(result.isValid()).as("inclusion %d/%d", v.index(), v.size()).isTrue();
            assertThat(computed).isEqualTo(root);
        }
    }

    @Test
    void shouldVerifyTheGoldenConsistencyProofs() {
        for (Rfc6962Vectors.Consistency v : VECTORS.consistencies) {
            // Given
            byte[] root1 = VECTORS.roots.get((int) v.size1());
            byte[] root2 = VECTORS.roots.get((int) v.size2());

            // When
            ProofResult result = ProofVerifier.verifyConsistency(v.size1(), v.size2(), v.proof(), root1, root2);

            // Then
            assertThat(result).as("consistency %d -> %d", v.size1(), v.size2()).isEqualTo(new ProofResult.Valid());
        }
    }

    record Probe(Supplier<ProofResult> check, Class<? extends ProofResult.Failure> expected) {
    }

    static Stream<Arguments> tamperedInclusionProofs() {
        List<Arguments> out = new ArrayList<>();
        for (Rfc6962Vectors.Inclusion v : VECTORS.inclusions) {
            long i = v.index();
            long n = v.size();
            List<byte[]> p = v.proof();
            byte[] leaf = H.hashLeaf(VECTORS.leaves.get((int) i));
            byte[] root = VECTORS.roots.get((int) n);
            String at = "inclusion-" + i + "-of-" + n + "/";
            add(out, at + "index---1", () -> ProofVerifier.verifyInclusion(i - 1, n, leaf, p, root), ProofResult.Failure.class);
            add(out, at + "index-+-1", () -> ProofVerifier.verifyInclusion(i + 1, n, leaf, p, root), ProofResult.Failure.class);
            add(out, at + "index-^-2", () -> ProofVerifier.verifyInclusion(i ^ 2, n, leaf, p, root), ProofResult.Failure.class);
            add(out, at + "treeSize-*-2", () -> ProofVerifier.verifyInclusion(i, n * 2, leaf, p, root), ProofResult.Failure.class);
            add(out, at + "treeSize-div-2", () -> ProofVerifier.verifyInclusion(i, n / 2, leaf, p, root), ProofResult.Failure.class);
            add(out, at + "wrong-leaf", () -> ProofVerifier.verifyInclusion(i, n, H.hashLeaf(SHORT), p, root), ProofResult.RootMismatch.class);
            add(out, at + "short-leaf", () -> ProofVerifier.verifyInclusion(i, n, SHORT, p, root), ProofResult.WrongHashLength.class);
            add(out, at + "empty-root", () -> ProofVerifier.verifyInclusion(i, n, leaf, p, H.emptyRoot()), ProofResult.RootMismatch.class);
            add(out, at + "random-root", () -> ProofVerifier.verifyInclusion(i, n, leaf, p, SOME_HASH), ProofResult.RootMismatch.class);
            add(out, at + "trailing-garbage", () -> ProofVerifier.verifyInclusion(i, n, leaf, with(p, p.size(), new byte[0]), root), ProofResult.WrongHashLength.class);
            add(out, at + "trailing-root", () -> ProofVerifier.verifyInclusion(i, n, leaf, with(p, p.size(), root), root), ProofResult.WrongProofLength.class);
            add(out, at + "preceding-garbage", () -> ProofVerifier.verifyInclusion(i, n, leaf, with(p, 0, new byte[0]), root), ProofResult.WrongHashLength.class);
            add(out, at + "preceding-root", () -> ProofVerifier.verifyInclusion(i, n, leaf, with(p, 0, root), root), ProofResult.WrongProofLength.class);
            for (int k = 0; k < p.size(); k++) {
                int kk = k;
                add(out, at + "modified-proof@" + k + "-bit-3", () -> ProofVerifier.verifyInclusion(i, n, leaf, flip(p, kk, 8), root), ProofResult.RootMismatch.class);
            }
            if (!p.isEmpty()) {
                add(out, at + "removed-component", () -> ProofVerifier.verifyInclusion(i, n, leaf, p.subList(0, p.size() - 1), root), ProofResult.WrongProofLength.class);
            }
            if (p.size() > 1) {
                add(out, at + "inserted-component", () -> ProofVerifier.verifyInclusion(i, n, leaf, with(p, 1, SOME_HASH), root), ProofResult.WrongProofLength.class);
                add(out, at + "swapped-components@0-1", () -> ProofVerifier.verifyInclusion(i, n, leaf, swap(p, 0, 1), root), ProofResult.RootMismatch.class);
            }
        }
        return out.stream();
    }

    static Stream<Arguments> tamperedConsistencyProofs() {
        List<Arguments> out = new ArrayList<>();
        for (Rfc6962Vectors.Consistency v : VECTORS.consistencies) {
            long m = v.size1();
            long n = v.size2();
            List<byte[]> p = v.proof();
            if (p.isEmpty()) {
                continue;
            }
            byte[] r1 = VECTORS.roots.get((int) m);
            byte[] r2 = VECTORS.roots.get((int) n);
            String at = "consistency-" + m + "-to-" + n + "/";
            add(out, at + "size1---1", () -> ProofVerifier.verifyConsistency(m - 1, n, p, r1, r2), ProofResult.Failure.class);
            add(out, at + "size1-+-1", () -> ProofVerifier.verifyConsistency(m + 1, n, p, r1, r2), ProofResult.Failure.class);
            add(out, at + "size1-^-2", () -> ProofVerifier.verifyConsistency(m ^ 2, n, p, r1, r2), ProofResult.Failure.class);
            add(out, at + "size2-*-2", () -> ProofVerifier.verifyConsistency(m, n * 2, p, r1, r2), ProofResult.Failure.class);
            add(out, at + "size2-div-2", () -> ProofVerifier.verifyConsistency(m, n / 2, p, r1, r2), ProofResult.Failure.class);
            add(out, at + "short-root1", () -> ProofVerifier.verifyConsistency(m, n, p, SHORT, r2), ProofResult.WrongHashLength.class);
            add(out, at + "short-root2", () -> ProofVerifier.verifyConsistency(m, n, p, r1, SHORT), ProofResult.WrongHashLength.class);
            add(out, at + "wrong-root1", () -> ProofVerifier.verifyConsistency(m, n, p, SOME_HASH, r2), ProofResult.RootMismatch.class);
            add(out, at + "wrong-root2", () -> ProofVerifier.verifyConsistency(m, n, p, r1, SOME_HASH), ProofResult.RootMismatch.class);
            add(out, at + "swapped-roots", () -> ProofVerifier.verifyConsistency(m, n, p, r2, r1), ProofResult.RootMismatch.class);
            add(out, at + "empty-proof", () -> ProofVerifier.verifyConsistency(m, n, List.of(), r1, r2), ProofResult.WrongProofLength.class);
            add(out, at + "trailing-garbage", () -> ProofVerifier.verifyConsistency(m, n, with(p, p.size(), new byte[0]), r1, r2), ProofResult.WrongHashLength.class);
            add(out, at + "trailing-root1", () -> ProofVerifier.verifyConsistency(m, n, with(p, p.size(), r1), r1, r2), ProofResult.WrongProofLength.class);
            add(out, at + "trailing-root2", () -> ProofVerifier.verifyConsistency(m, n, with(p, p.size(), r2), r1, r2), ProofResult.WrongProofLength.class);
            add(out, at + "preceding-garbage", () -> ProofVerifier.verifyConsistency(m, n, with(p, 0, new byte[0]), r1, r2), ProofResult.WrongHashLength.class);
            add(out, at + "preceding-root1", () -> ProofVerifier.verifyConsistency(m, n, with(p, 0, r1), r1, r2), ProofResult.WrongProofLength.class);
            add(out, at + "preceding-proof@0", () -> ProofVerifier.verifyConsistency(m, n, with(p, 0, p.get(0)), r1, r2), ProofResult.WrongProofLength.class);
            add(out, at + "truncated-proof", () -> ProofVerifier.verifyConsistency(m, n, p.subList(0, p.size() - 1), r1, r2), ProofResult.WrongProofLength.class);
            for (int k = 0; k < p.size(); k++) {
                int kk = k;
                add(out, at + "modified-proof@" + k + "-bit-4", () -> ProofVerifier.verifyConsistency(m, n, flip(p, kk, 16), r1, r2), ProofResult.RootMismatch.class);
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperedInclusionProofs")
    void shouldRejectTamperedInclusionProof(String mutation, Probe probe) {
        // Given a happy path with one mutation applied (see the name)
        // When
        ProofResult result = probe.check().get();

        // Then
        assertThat(result.isValid()).as(mutation).isFalse();
        assertThat(result).as(mutation).isInstanceOf(probe.expected());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tamperedConsistencyProofs")
    void shouldRejectTamperedConsistencyProof(String mutation, Probe probe) {
        // When
        ProofResult result = probe.check().get();

        // Then
        assertThat(result.isValid()).as(mutation).isFalse();
        assertThat(result).as(mutation).isInstanceOf(probe.expected());
    }

    @Test
    void shouldApplyTheEdgeCasesOfConsistency() {
        byte[] empty = H.emptyRoot();
        byte[] a = H.hashLeaf(new byte[] {1});
        byte[] b = H.hashLeaf(new byte[] {2});
        // Equal sizes: empty proof and equal roots only.
        assertThat(ProofVerifier.verifyConsistency(1, 1, List.of(), a, a).isValid()).isTrue();
        assertThat(ProofVerifier.verifyConsistency(1, 1, List.of(), a, b)).isInstanceOf(ProofResult.RootMismatch.class);
        assertThat(ProofVerifier.verifyConsistency(1, 1, List.of(empty), a, a)).isInstanceOf(ProofResult.WrongProofLength.class);
        assertThat(ProofVerifier.verifyConsistency(0, 0, List.of(), empty, empty).isValid()).isTrue();
        // Every tree extends the empty tree, whose root is fixed.
        assertThat(ProofVerifier.verifyConsistency(0, 1, List.of(), empty, a).isValid()).isTrue();
        assertThat(ProofVerifier.verifyConsistency(0, 1, List.of(), b, a)).isInstanceOf(ProofResult.RootMismatch.class);
        assertThat(ProofVerifier.verifyConsistency(0, 1, List.of(empty), empty, a)).isInstanceOf(ProofResult.WrongProofLength.class);
        // Time travel to the past.
        assertThat(ProofVerifier.verifyConsistency(2, 1, List.of(), a, b)).isInstanceOf(ProofResult.InvalidArgument.class);
        assertThat(ProofVerifier.verifyConsistency(-1, 1, List.of(), a, b)).isInstanceOf(ProofResult.InvalidArgument.class);
        // Empty proof for growing sizes.
        assertThat(ProofVerifier.verifyConsistency(1, 2, List.of(), a, b)).isInstanceOf(ProofResult.WrongProofLength.class);
    }

    @Test
    void shouldApplyTheEdgeCasesOfInclusion() {
        byte[] hash = H.hashLeaf("data".getBytes(StandardCharsets.US_ASCII));
        // A one-leaf tree: root = leaf hash, empty proof.
        assertThat(ProofVerifier.verifyInclusion(0, 1, hash, List.of(), hash).isValid()).isTrue();
        assertThat(ProofVerifier.verifyInclusion(0, 1, hash, List.of(), new byte[0])).isInstanceOf(ProofResult.WrongHashLength.class);
        assertThat(ProofVerifier.verifyInclusion(0, 1, new byte[0], List.of(), hash)).isInstanceOf(ProofResult.WrongHashLength.class);
        for (long[] p : new long[][] {{0, 0}, {1, 0}, {2, 1}, {-1, 4}}) {
            assertThat(ProofVerifier.verifyInclusion(p[0], p[1], hash, List.of(), hash))
                    .as("index %d size %d", p[0], p[1]).isInstanceOf(ProofResult.InvalidArgument.class);
        }
    }

    @Test
    void shouldThrowTheTypedFailureFromRootFromInclusionProofAndOrThrow() {
        // Given
        Rfc6962Vectors.Inclusion v = VECTORS.inclusions.get(1);
        byte[] leaf = H.hashLeaf(VECTORS.leaves.get((int) v.index()));

        // When / Then
        assertThatThrownBy(() -> ProofVerifier.rootFromInclusionProof(v.index(), v.size(), leaf, v.proof().subList(0, 1)))
                .isInstanceOfSatisfying(ProofVerificationException.class, e -> assertThat(e.failure())
                        .isEqualTo(new ProofResult.WrongProofLength(3, 1)));
        ProofResult mismatch = ProofVerifier.verifyInclusion(v.index(), v.size(), leaf, v.proof(), SOME_HASH);
        assertThatThrownBy(mismatch::orThrow).isInstanceOf(ProofVerificationException.class)
                .hasMessageStartingWith("root: the proof yields " + Rfc6962Vectors.hex(VECTORS.roots.get(8)));
    }

    @Test
    void shouldComputeTheRfcProofLengths() {
        // The 7-leaf tree of RFC 9162 §2.1.5: b's path is 3 long, d's 2 (after the 6-leaf subtree) ...
        assertThat(ProofVerifier.inclusionProofLength(0, 7)).isEqualTo(3);
        assertThat(ProofVerifier.inclusionProofLength(6, 7)).isEqualTo(2);
        assertThat(ProofVerifier.inclusionProofLength(0, 1)).isZero();
        // ... and consistency 3 -> 7 has 4 nodes, 4 -> 7 has 1, 6 -> 7 has 3 (RFC 9162 §2.1.5 examples).
        assertThat(ProofVerifier.consistencyPathLength(3, 7)).isEqualTo(4);
        assertThat(ProofVerifier.consistencyPathLength(4, 7) - 1).isEqualTo(1);
        assertThat(ProofVerifier.consistencyPathLength(6, 7)).isEqualTo(3);
    }

    private static void add(List<Arguments> out, String name, Supplier<ProofResult> check,
            Class<? extends ProofResult.Failure> expected) {
        out.add(Arguments.of(name, new Probe(check, expected)));
    }

    private static List<byte[]> with(List<byte[]> proof, int at, byte[] extra) {
        List<byte[]> out = new ArrayList<>(proof);
        out.add(at, extra);
        return out;
    }

    private static List<byte[]> flip(List<byte[]> proof, int at, int mask) {
        List<byte[]> out = new ArrayList<>(proof);
        byte[] changed = out.get(at).clone();
        changed[0] ^= (byte) mask;
        out.set(at, changed);
        return out;
    }

    private static List<byte[]> swap(List<byte[]> proof, int i, int j) {
        List<byte[]> out = new ArrayList<>(proof);
        out.set(i, proof.get(j));
        out.set(j, proof.get(i));
        return out;
    }
}
