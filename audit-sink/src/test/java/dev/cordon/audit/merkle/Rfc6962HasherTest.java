package dev.cordon.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Rfc6962HasherTest {

    private final Rfc6962Hasher hasher = Rfc6962Hasher.SHA256;
    private final Rfc6962Vectors vectors = Rfc6962Vectors.load();

    @Test
    void shouldHashTheEmptyTreeToTheSha256OfNothing() {
        // Given / When
        byte[] root = hasher.emptyRoot();

        // Then
        assertThat(Rfc6962Vectors.hex(root)).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(root).isEqualTo(vectors.roots.get(0));
        assertThat(hasher.size()).isEqualTo(32);
    }

    @Test
    void shouldMatchTheGoldenLeafAndNodeHashes() {
        for (Rfc6962Vectors.HashVector v : vectors.hashes) {
            // Given
            byte[] want = v.hash();

            // When
            byte[] got = switch (v.kind()) {
                case "leaf" -> hasher.hashLeaf(ascii(v.inputs().get(0)));
                case "node" -> hasher.hashChildren(ascii(v.inputs().get(0)), ascii(v.inputs().get(1)));
                default -> throw new IllegalStateException(v.kind());
            };

            // Then
            assertThat(Rfc6962Vectors.hex(got)).as("%s %s", v.kind(), v.inputs()).isEqualTo(Rfc6962Vectors.hex(want));
        }
        assertThat(vectors.hashes).hasSize(2);
    }

    @Test
    void shouldHashEveryTestTreeLeafToItsGoldenLevelZeroNode() {
        for (int i = 0; i < vectors.leaves.size(); i++) {
            // Given
            byte[] leaf = vectors.leaves.get(i);

            // When
            byte[] hash = hasher.hashLeaf(leaf);

            // Then
            assertThat(hash).as("leaf %d", i).isEqualTo(vectors.nodes.get(new NodeId(0, i)));
        }
    }

    @Test
    void shouldSeparateLeafAndNodeDomains() {
        // Given two leaf hashes
        byte[] l = hasher.hashLeaf(ascii("Hello"));
        byte[] r = hasher.hashLeaf(ascii("World"));

        // When
        byte[] node = hasher.hashChildren(l, r);
        byte[] forgedLeaf = hasher.hashLeaf(NoteKeys.concat(l, r));

        // Then: a node is never the leaf of its children's concatenation, and order matters
        assertThat(node).isNotEqualTo(forgedLeaf);
        assertThat(node).isNotEqualTo(hasher.hashChildren(r, l));
        assertThat(hasher.hashLeaf(new byte[0])).isNotEqualTo(hasher.emptyRoot());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
