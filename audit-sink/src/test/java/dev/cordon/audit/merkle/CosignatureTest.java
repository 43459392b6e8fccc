package dev.cordon.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CosignatureTest {

    private static final Properties V = Rfc6962Vectors.properties("merkle/signed-notes.properties");

    private static String archeNote() {
        return Rfc6962Vectors.resource("merkle/" + V.getProperty("arche.note"));
    }

    @Test
    void shouldVerifyARealCheckpointWithItsLogSignatureAndAWitnessCosignature() {
        // Given the arche2025h1 staging log key (0x01) and the remora witness key (0x04)
        NoteVerifier log = NoteVerifier.fromVerifierKey(V.getProperty("arche.logVerifierKey"));
        NoteVerifier witness = NoteVerifier.fromVerifierKey(V.getProperty("arche.cosignerVerifierKey"));

        // When
        VerifiedNote opened = NoteVerifier.open(archeNote(), List.of(log, witness));

        // Then: both verify; the RFC 6962 STH line and the other witnesses are ignored
        assertThat(witness.signatureType()).isEqualTo(NoteKeys.TYPE_COSIGNATURE_V1);
        assertThat(opened.verified()).extracting(NoteSignature::keyName)
                .containsExactly("arche2025h1.staging.ct.transparency.dev", "remora.n621.de");
        assertThat(opened.unknown()).hasSize(4);
        Checkpoint cp = Checkpoint.parse(opened.text());
        assertThat(cp.origin()).isEqualTo("arche2025h1.staging.ct.transparency.dev");
        assertThat(cp.size()).isEqualTo(1432088532L);
        NoteSignature remora = opened.verified().get(1);
        assertThat(Cosignature.timestamp(remora)).isPositive();
    }

    @Test
    void shouldRejectTheRealCheckpointWithAClobberedSize() {
        // Given
        String clobbered = archeNote().replace("\n1432088532\n", "\n42\n");
        NoteVerifier witness = NoteVerifier.fromVerifierKey(V.getProperty("arche.cosignerVerifierKey"));

        // When / Then
        assertThatThrownBy(() -> NoteVerifier.open(clobbered, List.of(witness)))
                .isInstanceOfSatisfying(NoteVerificationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NoteVerificationException.Reason.BAD_SIGNATURE);
                    assertThat(e.keyName()).isEqualTo("remora.n621.de");
                });
    }

    @Test
    void shouldReadTheTimestampOfTheFormatsGoldenCosignature() {
        // Given
        NoteSignature sig = NoteSignature.parseLine("\u2014 w " + V.getProperty("cosig.timestamp.signature"));
        NoteSignature plain = NoteSignature.parseLine("\u2014 w " + V.getProperty("cosig.timestamp.wrongType"));

        // When / Then
        assertThat(Cosignature.timestamp(sig)).isEqualTo(Long.parseLong(V.getProperty("cosig.timestamp.seconds")));
        assertThatThrownBy(() -> Cosignature.timestamp(plain)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("72");
    }

    @Test
    void shouldCosignAndVerifyACheckpointIncludingItsExtensionLines() {
        // Given a log-signed checkpoint and a witness key
        KeyPair logKeys = NoteKeys.generate();
        KeyPair witnessKeys = NoteKeys.generate();
        Checkpoint cp = new Checkpoint("cordon.example/audit", 7, Rfc6962Hasher.SHA256.emptyRoot(), List.of("Extendo"));
        SignedNote logSigned = NoteSigner.of("cordon.example/audit", logKeys).signCheckpoint(cp);

        // When the witness cosigns at t = 1679315147
        NoteSignature cosig = Cosignature.sign("witness.example/w1", witnessKeys, 1679315147L, cp.toText());
        String note = logSigned.withSignatures(List.of(cosig)).format();
        NoteVerifier witness = NoteVerifier.cosignatureV1("witness.example/w1", witnessKeys.getPublic());

        // Then
        VerifiedNote opened = NoteVerifier.open(note, List.of(witness));
        assertThat(opened.verified()).containsExactly(cosig);
        assertThat(Cosignature.timestamp(cosig)).isEqualTo(1679315147L);
        assertThat(new String(Cosignature.signedMessage(1679315147L, cp.toText()), StandardCharsets.UTF_8))
                .isEqualTo("cosignature/v1\ntime 1679315147\ncordon.example/audit\n7\n"
                        + "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nExtendo\n");
        assertThat(NoteVerifier.fromVerifierKey(witness.verifierKey()).keyId()).isEqualTo(cosig.keyId());
        // and the signature covers the extension line and the timestamp
        assertThatThrownBy(() -> NoteVerifier.open(note.replace("Extendo", "Extendx"), List.of(witness)))
                .isInstanceOf(NoteVerificationException.class);
        byte[] blob = cosig.signature();
        blob[7] ^= 1;
        NoteSignature retimed = new NoteSignature(cosig.keyName(), cosig.keyId(), blob);
        assertThat(witness.verify(cp.toText(), retimed)).isFalse();
    }

    @Test
    void shouldKeepCosignatureAndPlainKeysApartByKeyId() {
        // Given one Ed25519 key used as a 0x01 note key
        KeyPair keys = NoteKeys.generate();
        SignedNote plain = NoteSigner.of("k", keys).signNote("text\n");

        // When the verifier knows it only as a 0x04 cosigner
        NoteVerifier asCosigner = NoteVerifier.cosignatureV1("k", keys.getPublic());

        // Then the key IDs differ, so the plain signature is an unknown one
        assertThat(asCosigner.keyId()).isNotEqualTo(plain.signatures().get(0).keyId());
        assertThatThrownBy(() -> NoteVerifier.open(plain, List.of(asCosigner)))
                .isInstanceOfSatisfying(NoteVerificationException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoteVerificationException.Reason.NO_KNOWN_SIGNATURE));
        assertThat(Base64.getDecoder().decode(asCosigner.verifierKey().split("\\+", 3)[2])[0]).isEqualTo((byte) 0x04);
    }
}
