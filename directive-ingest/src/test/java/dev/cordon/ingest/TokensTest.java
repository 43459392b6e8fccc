package dev.cordon.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokensTest {
    @Test
    void shouldMatchTheTokenItHashedAndNothingElse() {
        // Given
        String token = Tokens.generate();
        // When
        String stored = Tokens.hash(token);
        // Then
        assertThat(stored).matches("[0-9a-f]{32}:[0-9a-f]{64}").doesNotContain(token);
        assertThat(Tokens.matches(stored, token)).isTrue();
        assertThat(Tokens.matches(stored, token + "x")).isFalse();
        assertThat(Tokens.matches(stored, Tokens.generate())).isFalse();
    }

    @Test
    void shouldSaltEachHashDifferently() {
        String token = Tokens.generate();
        assertThat(Tokens.hash(token)).isNotEqualTo(Tokens.hash(token));
    }

    @Test
    void shouldGenerate256BitUrlSafeTokens() {
        assertThat(Tokens.generate()).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(Tokens.generate());
    }

    @Test
    void shouldBuildAConfigEntryWithThePrincipal() {
        String entry = Tokens.entry("ops-alice", "secret-token-value");
        assertThat(entry).startsWith("ops-alice:");
        assertThat(Tokens.ENTRY.matcher(entry).matches()).isTrue();
        assertThatThrownBy(() -> Tokens.entry("a:b", "t")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("principal");
    }
}
