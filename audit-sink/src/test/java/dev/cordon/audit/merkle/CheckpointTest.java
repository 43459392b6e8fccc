package dev.cordon.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointTest {

    /** The example of c2sp.org/tlog-checkpoint. */
    private static final String SPEC_EXAMPLE = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    @Test
    void shouldParseAndFormatTheSpecExampleByteForByte() {
        // When
        Checkpoint cp = Checkpoint.parse(SPEC_EXAMPLE);

        // Then
        assertThat(cp.origin()).isEqualTo("example.com/behind-the-sofa");
        assertThat(cp.size()).isEqualTo(20852163L);
        assertThat(cp.rootHash()).isEqualTo(Base64.getDecoder().decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="));
        assertThat(cp.extensionLines()).isEmpty();
        assertThat(cp.toText()).isEqualTo(SPEC_EXAMPLE);
    }

    @Test
    void shouldRoundTripExtensionLinesAndTheEmptyTree() {
        // Given
        Checkpoint cp = new Checkpoint("cordon.example/audit", 0, Rfc6962Hasher.SHA256.emptyRoot(), List.of("ext one", "ext-two"));

        // When
        String text = cp.toText();

        // Then
        assertThat(text).isEqualTo("cordon.example/audit\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next-two\n");
        assertThat(Checkpoint.parse(text)).isEqualTo(cp);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",          // missing-final-newline
        "example.com/log\n020852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",       // leading-zero-size
        "example.com/log\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",              // negative-size
        "example.com/log\n+5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",              // signed-size
        "example.com/log\n99999999999999999999\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", // size-overflow
        "\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",                             // empty-origin
        "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",               // unpadded-base64
        "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2\n",                // short-root
        "example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",             // empty-extension-line
        "example.com/log\n5\n",                                                            // missing-root
    })
    void shouldRejectMalformedCheckpointText(String text) {
        assertThatThrownBy(() -> Checkpoint.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("checkpoint");
    }

    @Test
    void shouldRejectInvalidFieldsNamingThem() {
        byte[] root = new byte[32];
        assertThatThrownBy(() -> Checkpoint.of("", 1, root)).hasMessageContaining("origin");
        assertThatThrownBy(() -> Checkpoint.of("a\nb", 1, root)).hasMessageContaining("origin");
        assertThatThrownBy(() -> Checkpoint.of("o", -1, root)).hasMessageContaining("size");
        assertThatThrownBy(() -> Checkpoint.of("o", 1, new byte[31])).hasMessageContaining("rootHash");
        assertThatThrownBy(() -> new Checkpoint("o", 1, root, List.of(""))).hasMessageContaining("extensionLines[0]");
    }

    @Test
    void shouldCopyTheRootHash() {
        // Given
        byte[] root = new byte[32];
        Checkpoint cp = Checkpoint.of("o", 1, root);

        // When
        root[0] = 1;
        cp.rootHash()[1] = 1;

        // Then
        assertThat(cp.rootHash()).isEqualTo(new byte[32]);
    }
}
