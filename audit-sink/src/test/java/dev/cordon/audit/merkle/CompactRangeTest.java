package dev.cordon.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompactRangeTest {

    private final Rfc6962Hasher hasher = Rfc6962Hasher.SHA256;
    private final Rfc6962Vectors vectors = Rfc6962Vectors.load();

    @Test
    void shouldProduceTheGoldenRootAfterEveryAppend() {
        // Given
        CompactRange range = CompactRange.empty();
        assertThat(range.root()).isEqualTo(vectors.roots.get(0));

        for (int i = 0; i < vectors.leaves.size(); i++) {
            // When
            range.append(hasher.hashLeaf(vectors.leaves.get(i)));

            // Then
            assertThat(range.size()).isEqualTo(i + 1);
            assertThat(Rfc6962Vectors.hex(range.root())).as("root of size %d", i + 1)
                    .isEqualTo(Rfc6962Vectors.hex(vectors.roots.get(i + 1)));
            assertThat(range.hashes()).hasSize(Long.bitCount(i + 1));
        }
    }

    @Test
    void shouldReportExactlyEveryPerfectSubtreeNodeOfTheGoldenTree() {
        // Given
        CompactRange range = CompactRange.empty();
        Map<NodeId, byte[]> reported = new HashMap<>();
        List<NodeId> order = new ArrayList<>();

        // When
        for (byte[] leaf : vectors.leaves) {
            for (TreeNode node : range.append(hasher.hashLeaf(leaf))) {
                assertThat(reported.put(node.id(), node.hash())).as("reported twice: %s", node).isNull();
                order.add(node.id());
            }
        }

        // Then: the 15 nodes of the 8-leaf tree, each with its golden hash
        assertThat(reported.keySet()).containsExactlyInAnyOrderElementsOf(vectors.nodes.keySet());
        vectors.nodes.forEach((id, hash) -> assertThat(reported.get(id)).as("%s", id).isEqualTo(hash));
        // and bottom-up within an append: the 8th leaf completes (0,7), (1,3), (2,1), (3,0)
        assertThat(order.subList(order.size() - 4, order.size()))
                .containsExactly(new NodeId(0, 7), new NodeId(1, 3), new NodeId(2, 1), new NodeId(3, 0));
    }

    @Test
    void shouldKeepThePerfectSubtreeRootsAsItsHashes() {
        // Given: a range of 7 leaves = subtrees of 4, 2, 1
        CompactRange range = CompactRange.empty();
        for (int i = 0; i < 7; i++) {
            range.append(hasher.hashLeaf(vectors.leaves.get(i)));
        }

        // When
        List<TreeNode> nodes = range.nodes();

        // Then (transparency-dev/merkle testonly CompactTrees()[7] = nh[2][0], nh[1][2], nh[0][6])
        assertThat(nodes).extracting(TreeNode::id).containsExactly(new NodeId(2, 0), new NodeId(1, 2), new NodeId(0, 6));
        assertThat(Rfc6962Vectors.hexStrings(range.hashes())).containsExactly(
                Rfc6962Vectors.hex(vectors.nodes.get(new NodeId(2, 0))),
                Rfc6962Vectors.hex(vectors.nodes.get(new NodeId(1, 2))),
                Rfc6962Vectors.hex(vectors.nodes.get(new NodeId(0, 6))));
    }

    @Test
    void shouldContinueIdenticallyWhenRestoredFromItsHashesAtEverySize() {
        List<byte[]> leafHashes = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            leafHashes.add(hasher.hashLeaf(new byte[] {(byte) i, (byte) (i * 7)}));
        }
        for (int cut = 0; cut <= 64; cut++) {
            // Given an original range and a copy restored from size + hashes at `cut`
            CompactRange original = CompactRange.empty();
            for (int i = 0; i < cut; i++) {
                original.append(leafHashes.get(i));
            }
            CompactRange restored = CompactRange.of(original.size(), original.hashes());

            // When both receive the remaining leaves
            for (int i = cut; i < 64; i++) {
                List<TreeNode> fromOriginal = original.append(leafHashes.get(i));
                List<TreeNode> fromRestored = restored.append(leafHashes.get(i));

                // Then they report the same nodes and roots
                assertThat(fromRestored).as("cut %d, leaf %d", cut, i).isEqualTo(fromOriginal);
                assertThat(restored.root()).isEqualTo(original.root());
            }
            assertThat(restored.size()).isEqualTo(64);
        }
    }

    @Test
    void shouldRejectARestoreWhoseHashCountDoesNotMatchTheSize() {
        // Given: size 7 needs 3 hashes
        List<byte[]> two = List.of(new byte[32], new byte[32]);

        // When / Then
        assertThatThrownBy(() -> CompactRange.of(7, two))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hashes").hasMessageContaining("3");
        assertThatThrownBy(() -> CompactRange.of(1, List.of(new byte[31])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hashes[0]");
        assertThatThrownBy(() -> CompactRange.of(-1, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size");
    }

    @Test
    void shouldRejectALeafHashOfTheWrongLength() {
        // Given
        CompactRange range = CompactRange.empty();

        // When / Then
        assertThatThrownBy(() -> range.append(new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leafHash");
        assertThat(range.size()).isZero();
    }

    @Test
    void shouldNotExposeItsInternalHashes() {
        // Given
        CompactRange range = CompactRange.empty();
        range.append(hasher.hashLeaf(new byte[0]));
        byte[] root = range.root();

        // When: the caller scribbles over what it got back
        range.hashes().get(0)[0] ^= 1;
        range.nodes().get(0).hash()[0] ^= 1;

        // Then
        assertThat(range.root()).isEqualTo(root);
    }
}
