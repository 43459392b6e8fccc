package dev.cordon.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProofBuilderTest {

    private static final int MAX_SIZE = 64;
    private final Rfc6962Hasher hasher = Rfc6962Hasher.SHA256;
    private final Rfc6962Vectors vectors = Rfc6962Vectors.load();

    /** A log of {@code n} leaves: every node from the appends stored, roots recorded at every size. */
    private static final class Log {
        final List<byte[]> leaves = new ArrayList<>();
        final List<byte[]> roots = new ArrayList<>();
        final InMemoryNodeStore store = new InMemoryNodeStore();
        final CompactRange range = CompactRange.empty();

        Log(List<byte[]> leafData) {
            roots.add(range.root());
            for (byte[] leaf : leafData) {
                leaves.add(leaf);
                store.putAll(range.append(Rfc6962Hasher.SHA256.hashLeaf(leaf)));
                roots.add(range.root());
            }
        }
    }

    private static List<byte[]> syntheticLeaves(int n) {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            leaves.add(("entry-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        return leaves;
    }

    @Test
    void shouldBuildTheGoldenInclusionProofsFromStoredNodes() {
        // Given the 8-leaf test tree in a node store
        Log log = new Log(vectors.leaves);

        for (Rfc6962Vectors.Inclusion v : vectors.inclusions) {
            // When
            List<byte[]> proof = ProofBuilder.inclusionProof(v.index(), v.size(), log.store);

            // Then
            assertThat(Rfc6962Vectors.hexStrings(proof)).as("inclusion of %d in %d", v.index(), v.size())
                    .containsExactlyElementsOf(Rfc6962Vectors.hexStrings(v.proof()));
        }
        assertThat(vectors.inclusions).hasSize(5);
    }

    @Test
    void shouldBuildTheGoldenConsistencyProofsFromStoredNodes() {
        // Given
        Log log = new Log(vectors.leaves);

        for (Rfc6962Vectors.Consistency v : vectors.consistencies) {
            // When
            List<byte[]> proof = ProofBuilder.consistencyProof(v.size1(), v.size2(), log.store);

            // Then
            assertThat(Rfc6962Vectors.hexStrings(proof)).as("consistency %d -> %d", v.size1(), v.size2())
                    .containsExactlyElementsOf(Rfc6962Vectors.hexStrings(v.proof()));
        }
        assertThat(vectors.consistencies).hasSize(5);
    }

    @Test
    void shouldBuildVerifiableInclusionProofsForEveryIndexOfEverySizeUpTo64() {
        // Given one log of 64 leaves; the store also holds nodes beyond each smaller size, which must not leak in
        Log log = new Log(syntheticLeaves(MAX_SIZE));

        for (int size = 1; size <= MAX_SIZE; size++) {
            for (int index = 0; index < size; index++) {
                // When
                List<byte[]> proof = ProofBuilder.inclusionProof(index, size, log.store);

                // Then: it verifies against the compact-range root and equals the RFC's recursive PATH
                ProofResult result = ProofVerifier.verifyInclusion(index, size, hasher.hashLeaf(log.leaves.get(index)),
                        proof, log.roots.get(size));
                assertThat(result).as("index %d of %d", index, size).isEqualTo(new ProofResult.Valid());
                assertThat(Rfc6962Vectors.hexStrings(proof)).as("index %d of %d", index, size)
                        .containsExactlyElementsOf(Rfc6962Vectors.hexStrings(
                                ReferenceTree.path(index, log.leaves.subList(0, size))));
            }
            assertThat(log.roots.get(size)).isEqualTo(ReferenceTree.mth(log.leaves.subList(0, size)));
        }
    }

    @Test
    void shouldBuildVerifiableConsistencyProofsForEveryPairOfSizesUpTo64() {
        // Given
        Log log = new Log(syntheticLeaves(MAX_SIZE));

        for (int size2 = 0; size2 <= MAX_SIZE; size2++) {
            for (int size1 = 0; size1 <= size2; size1++) {
                // When
                List<byte[]> proof = ProofBuilder.consistencyProof(size1, size2, log.store);

                // Then
                ProofResult result = ProofVerifier.verifyConsistency(size1, size2, proof, log.roots.get(size1),
                        log.roots.get(size2));
                assertThat(result).as("%d -> %d", size1, size2).isEqualTo(new ProofResult.Valid());
                if (size1 > 0 && size1 < size2) {
                    assertThat(Rfc6962Vectors.hexStrings(proof)).as("%d -> %d", size1, size2)
                            .containsExactlyElementsOf(Rfc6962Vectors.hexStrings(
                                    ReferenceTree.proof(size1, log.leaves.subList(0, size2))));
                } else {
                    assertThat(proof).isEmpty();
                }
            }
        }
    }

    @Test
    void shouldFetchEachProofInOneBatchReadWithoutLeavesOutsideTheStore() {
        // Given a store that counts reads
        Log log = new Log(syntheticLeaves(13));
        AtomicInteger batches = new AtomicInteger();
        AtomicInteger singles = new AtomicInteger();
        NodeStore counting = new NodeStore() {
            @Override
            public byte[] get(int level, long index) {
                singles.incrementAndGet();
                return log.store.get(level, index);
            }

            @Override
            public List<byte[]> getAll(List<NodeId> ids) {
                batches.incrementAndGet();
                List<byte[]> out = new ArrayList<>();
                ids.forEach(id -> out.add(log.store.get(id.level(), id.index())));
                return out;
            }
        };

        // When
        ProofBuilder.inclusionProof(3, 13, counting);
        ProofBuilder.consistencyProof(5, 13, counting);

        // Then
        assertThat(batches.get()).isEqualTo(2);
        assertThat(singles.get()).isZero();
    }

    @Test
    void shouldNameTheMissingNodeWhenTheStoreIsIncomplete() {
        // Given a store missing the perfect node (1, 1) of the 8-leaf tree
        Log log = new Log(vectors.leaves);
        NodeStore holey = (level, index) -> level == 1 && index == 1 ? null : log.store.get(level, index);

        // When / Then
        assertThatThrownBy(() -> ProofBuilder.inclusionProof(0, 8, holey))
                .isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("level=1, index=1").hasMessageContaining("[2, 4)");
    }

    @Test
    void shouldRejectOutOfRangeArguments() {
        // Given
        Log log = new Log(vectors.leaves);

        // When / Then
        assertThatThrownBy(() -> ProofBuilder.inclusionProof(8, 8, log.store))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index");
        assertThatThrownBy(() -> ProofBuilder.inclusionProof(-1, 8, log.store))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index");
        assertThatThrownBy(() -> ProofBuilder.consistencyProof(5, 4, log.store))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size1");
    }

    @Test
    void shouldCoverARightEdgeRangeWithDecreasingPerfectSubtrees() {
        // When
        List<NodeId> cover = ProofBuilder.perfectCover(8, 15);

        // Then: [8,12) + [12,14) + [14,15)
        assertThat(cover).containsExactly(new NodeId(2, 2), new NodeId(1, 6), new NodeId(0, 14));
    }
}
