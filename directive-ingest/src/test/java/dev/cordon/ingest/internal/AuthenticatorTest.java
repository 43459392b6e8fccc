package dev.cordon.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cordon.ingest.Tokens;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthenticatorTest {
    private final String aliceToken = Tokens.generate();
    private final String bobToken = Tokens.generate();
    private final Authenticator authenticator = Authenticator.of(List.of(
            Tokens.entry("alice", aliceToken), Tokens.entry("bob", bobToken)));

    @Test
    void shouldNameThePrincipalOfAValidToken() throws Exception {
        assertThat(authenticator.authenticate("Bearer " + bobToken).name()).isEqualTo("bob");
        assertThat(authenticator.authenticate("bearer " + aliceToken).name()).isEqualTo("alice");
    }

    @Test
    void shouldRefuseAMissingHeaderWithABearerChallenge() {
        RefusedException e = catchThrowableOfType(RefusedException.class, () -> authenticator.authenticate(null));
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.headers()).containsEntry("WWW-Authenticate", "Bearer realm=\"cordon-ingest\"");
    }

    @Test
    void shouldRefuseAnUnknownTokenAndOtherSchemes() {
        RefusedException unknown = catchThrowableOfType(RefusedException.class,
                () -> authenticator.authenticate("Bearer " + Tokens.generate()));
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.headers().get("WWW-Authenticate")).contains("invalid_token");

        RefusedException basic = catchThrowableOfType(RefusedException.class,
                () -> authenticator.authenticate("Basic YWxpY2U6cHc="));
        assertThat(basic.status()).isEqualTo(401);
    }

    @Test
    void shouldCarryTheRolesOfTheEntryAndGiveLegacyEntriesIssuerAndViewer() throws Exception {
        // Given an entry with roles and a legacy one without
        String approverToken = Tokens.generate();
        Authenticator withRoles = Authenticator.of(List.of(
                Tokens.entry("bob", java.util.EnumSet.of(dev.cordon.ingest.Role.APPROVER, dev.cordon.ingest.Role.AUDITOR), approverToken),
                Tokens.entry("alice", aliceToken)));
        // When / Then
        assertThat(withRoles.authenticate("Bearer " + approverToken).roles())
                .containsExactlyInAnyOrder(dev.cordon.ingest.Role.APPROVER, dev.cordon.ingest.Role.AUDITOR);
        assertThat(withRoles.authenticate("Bearer " + aliceToken).roles()).isEqualTo(Tokens.LEGACY_ROLES);
    }

    @Test
    void shouldRefuseAnEntryWithAnUnknownRoleWithoutEchoingIt() {
        String entry = Tokens.entry("eve", Tokens.generate()).replaceFirst(":", ":superuser:");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Authenticator.of(List.of(entry)))
                .hasMessageContaining("entry 1").hasMessageContaining("superuser").hasMessageNotContaining(entry);
    }

    @Test
    void shouldLetEveryoneInOnlyWhenDisabled() throws Exception {
        assertThat(Authenticator.disabled().authenticate(null)).isEqualTo(Principal.UNAUTHENTICATED);
    }
}
