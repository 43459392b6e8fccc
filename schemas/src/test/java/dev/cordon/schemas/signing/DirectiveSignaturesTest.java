package dev.cordon.schemas.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.Scope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DirectiveSignaturesTest {
    private static final SigningKey KEY = SigningKey.generate();

    private static DirectiveChange change(String reason) {
        return DirectiveChange.newBuilder()
                .setChangeId("c-1").setDirectiveId("BIS-1").setRevision(1).setAction(DirectiveAction.RESTRICT)
                .setMode(DirectiveMode.ENFORCE).setEnforcement(EnforcementKind.REVOKE_AND_DENY).setIssuer("us-bis")
                .setLegalBasis("15 CFR 744.23").setReason(reason).setEffectiveFrom(Instant.ofEpochMilli(1_000))
                .setEffectiveUntil(null)
                .setScope(Scope.newBuilder().setResources(List.of("fable-5")).setSubjects(List.of()).setExempt(List.of()).build())
                .setAcceptedAt(Instant.ofEpochMilli(1_000)).setRequestId(null).setPrincipal("alice").build();
    }

    @Test
    void shouldVerifyAChangeSignedByATrustedKey() {
        // Given
        DirectiveChange change = change("r");
        Headers headers = DirectiveSignatures.sign(change, KEY, new RecordHeaders());
        // When
        String keyId = DirectiveSignatures.verify(change, headers, TrustedKeys.of(KEY));
        // Then
        assertThat(keyId).isEqualTo(KEY.keyId()).startsWith("ed25519-");
        assertThat(headers.lastHeader(DirectiveSignatures.HEADER_SIGNATURE).value()).hasSize(64);
    }

    @Test
    void shouldRefuseAnAlteredChangeAsForged() {
        // Given a signature over one change
        Headers headers = DirectiveSignatures.sign(change("original"), KEY, new RecordHeaders());
        // When the headers are put on another change, Then FORGED
        assertThatThrownBy(() -> DirectiveSignatures.verify(change("widened"), headers, TrustedKeys.of(KEY)))
                .isInstanceOfSatisfying(DirectiveSignatureException.class,
                        e -> assertThat(e.reason()).isEqualTo(DirectiveSignatureException.Reason.FORGED))
                .hasMessageContaining("does not verify");
    }

    @Test
    void shouldRefuseUnsignedUnknownKeyAndMalformedRecords() {
        DirectiveChange change = change("r");
        assertThatThrownBy(() -> DirectiveSignatures.verify(change, new RecordHeaders(), TrustedKeys.of(KEY)))
                .isInstanceOfSatisfying(DirectiveSignatureException.class,
                        e -> assertThat(e.reason()).isEqualTo(DirectiveSignatureException.Reason.UNSIGNED));
        SigningKey other = SigningKey.generate();
        Headers byOther = DirectiveSignatures.sign(change, other, new RecordHeaders());
        assertThatThrownBy(() -> DirectiveSignatures.verify(change, byOther, TrustedKeys.of(KEY)))
                .isInstanceOfSatisfying(DirectiveSignatureException.class,
                        e -> assertThat(e.reason()).isEqualTo(DirectiveSignatureException.Reason.UNKNOWN_KEY));
        Headers shortSig = new RecordHeaders().add(DirectiveSignatures.HEADER_KEY_ID, KEY.keyId().getBytes(StandardCharsets.UTF_8))
                .add(DirectiveSignatures.HEADER_SIGNATURE, new byte[10]);
        assertThatThrownBy(() -> DirectiveSignatures.verify(change, shortSig, TrustedKeys.of(KEY)))
                .isInstanceOfSatisfying(DirectiveSignatureException.class,
                        e -> assertThat(e.reason()).isEqualTo(DirectiveSignatureException.Reason.MALFORMED));
        // a key id that is trusted but a signature made by another key: forged
        Headers spoofedId = new RecordHeaders().add(DirectiveSignatures.HEADER_KEY_ID, KEY.keyId().getBytes(StandardCharsets.UTF_8))
                .add(DirectiveSignatures.HEADER_SIGNATURE, DirectiveSignatures.sign(change, other));
        assertThatThrownBy(() -> DirectiveSignatures.verify(change, spoofedId, TrustedKeys.of(KEY)))
                .isInstanceOfSatisfying(DirectiveSignatureException.class,
                        e -> assertThat(e.reason()).isEqualTo(DirectiveSignatureException.Reason.FORGED));
    }

    @Test
    void shouldRoundTripKeysThroughTheirStoredForms() {
        // Given a key in its stored forms
        SigningKey restored = SigningKey.fromPrivateKey(null, KEY.privateKeyBase64());
        TrustedKeys trusted = TrustedKeys.parse(List.of(KEY.trustedEntry(), ""));
        // When the restored key signs
        DirectiveChange change = change("r");
        Headers headers = DirectiveSignatures.sign(change, restored, new RecordHeaders());
        // Then the original public key verifies it, under the same key id
        assertThat(restored.keyId()).isEqualTo(KEY.keyId());
        assertThat(restored.publicKey().getEncoded()).isEqualTo(KEY.publicKey().getEncoded());
        assertThat(DirectiveSignatures.verify(change, headers, trusted)).isEqualTo(KEY.keyId());
    }

    @Test
    void shouldNameTheBadEntryWithoutEchoingSecrets() {
        assertThatThrownBy(() -> TrustedKeys.parse(List.of(KEY.trustedEntry(), "k2:not-base64!")))
                .hasMessageContaining("entry 2").hasMessageContaining("k2");
        assertThatThrownBy(() -> SigningKey.fromPrivateKey("k", "c2VjcmV0"))
                .hasMessageNotContaining("c2VjcmV0").hasMessageContaining("PKCS#8");
    }
}
