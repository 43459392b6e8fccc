package dev.cordon.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SignedNoteTest {

    private static final Properties V = Rfc6962Vectors.properties("merkle/signed-notes.properties");
    private static final String PETER_TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";

    private static String note(String key) {
        return Rfc6962Vectors.resource("merkle/" + V.getProperty(key));
    }

    @Test
    void shouldReproduceTheGoSumdbNoteSignatureByteForByte() {
        // Given the golang.org/x/mod/sumdb/note example signer key
        NoteSigner signer = NoteSigner.fromSignerKey(V.getProperty("peter.signerKey"));

        // When
        SignedNote signed = signer.signNote(PETER_TEXT);

        // Then: Ed25519 is deterministic, so the note equals the published one
        assertThat(signer.keyName()).isEqualTo("PeterNeumann");
        assertThat(NoteKeys.hexId(signer.keyId())).isEqualTo("c74f20a3");
        assertThat(signed.format()).isEqualTo(note("peter.note"));
    }

    @Test
    void shouldOpenTheGoldenNotesWithTheirVerifierKeys() {
        // Given
        NoteVerifier peter = NoteVerifier.fromVerifierKey(V.getProperty("peter.verifierKey"));
        NoteVerifier foo = NoteVerifier.fromVerifierKey(V.getProperty("foo.verifierKey"));

        // When
        VerifiedNote openedPeter = NoteVerifier.open(note("peter.note"), List.of(peter));
        VerifiedNote openedFoo = NoteVerifier.open(note("foo.note"), List.of(peter, foo));

        // Then
        assertThat(openedPeter.text()).isEqualTo(PETER_TEXT);
        assertThat(openedPeter.signedBy("PeterNeumann")).isTrue();
        assertThat(openedFoo.text()).isEqualTo("This is an example message.\n");
        assertThat(openedFoo.verified()).extracting(NoteSignature::keyName).containsExactly("example.com/foo");
        assertThat(openedFoo.unknown()).isEmpty();
    }

    @Test
    void shouldParseAVerifierKeyAndRoundTripIt() {
        // When
        NoteVerifier foo = NoteVerifier.fromVerifierKey(V.getProperty("foo.verifierKey"));

        // Then
        assertThat(foo.keyName()).isEqualTo("example.com/foo");
        assertThat(NoteKeys.hexId(foo.keyId())).isEqualTo("530d903a");
        assertThat(foo.signatureType()).isEqualTo(NoteKeys.TYPE_ED25519);
        assertThat(foo.verifierKey()).isEqualTo(V.getProperty("foo.verifierKey"));
        assertThat(NoteKeys.keyId("example.com/foo", NoteKeys.TYPE_ED25519,
                HexFormat.of().parseHex(V.getProperty("foo.rawPublicKey")))).isEqualTo(foo.keyId());
    }

    @Test
    void shouldRejectAModifiedBodyAsABadSignatureOfTheKnownKey() {
        // Given: the golden note with one letter changed
        String tampered = note("peter.note").replace("cryptography", "cryptographY");
        NoteVerifier peter = NoteVerifier.fromVerifierKey(V.getProperty("peter.verifierKey"));

        // When / Then
        assertThatThrownBy(() -> NoteVerifier.open(tampered, List.of(peter)))
                .isInstanceOfSatisfying(NoteVerificationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NoteVerificationException.Reason.BAD_SIGNATURE);
                    assertThat(e.keyName()).isEqualTo("PeterNeumann");
                });
    }

    @Test
    void shouldIgnoreSignaturesOfUnknownKeysAndRejectANoteWithoutAKnownOne() {
        // Given a verifier that knows only EnochRoot, which did not sign
        NoteVerifier enoch = NoteVerifier.fromVerifierKey(V.getProperty("enoch.verifierKey"));

        // When / Then
        assertThatThrownBy(() -> NoteVerifier.open(note("peter.note"), List.of(enoch)))
                .isInstanceOfSatisfying(NoteVerificationException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoteVerificationException.Reason.NO_KNOWN_SIGNATURE));
    }

    @Test
    void shouldReportWhichKeysSignedAndWhichWereIgnored() {
        // Given a note signed by the log key and by a key the verifier does not know
        KeyPair logKeys = NoteKeys.generate();
        KeyPair otherKeys = NoteKeys.generate();
        NoteSigner log = NoteSigner.of("cordon.example/audit", logKeys);
        NoteSigner other = NoteSigner.of("someone.else/key", otherKeys);
        Checkpoint cp = Checkpoint.of("cordon.example/audit", 42, Rfc6962Hasher.SHA256.hashLeaf(new byte[] {42}));
        SignedNote note = log.signCheckpoint(cp).withSignatures(List.of(other.sign(cp.toText())));

        // When
        VerifiedNote opened = NoteVerifier.open(note.format(),
                List.of(NoteVerifier.ed25519("cordon.example/audit", logKeys.getPublic())));

        // Then
        assertThat(Checkpoint.parse(opened.text())).isEqualTo(cp);
        assertThat(opened.verified()).extracting(NoteSignature::keyName).containsExactly("cordon.example/audit");
        assertThat(opened.unknown()).extracting(NoteSignature::keyName).containsExactly("someone.else/key");
    }

    @Test
    void shouldIgnoreASignatureWithTheKnownNameButAnotherKeyId() {
        // Given: an impostor key under the log's name (different key, so a different key ID)
        KeyPair real = NoteKeys.generate();
        KeyPair impostor = NoteKeys.generate();
        String text = Checkpoint.of("log", 1, new byte[32]).toText();
        SignedNote note = NoteSigner.of("log", impostor).signNote(text);

        // When / Then: not a known key, so ignored, so no known signature
        assertThatThrownBy(() -> NoteVerifier.open(note, List.of(NoteVerifier.ed25519("log", real.getPublic()))))
                .isInstanceOfSatisfying(NoteVerificationException.class,
                        e -> assertThat(e.reason()).isEqualTo(NoteVerificationException.Reason.NO_KNOWN_SIGNATURE));
    }

    @Test
    void shouldRoundTripGeneratedKeysThroughEveryEncoding() {
        // Given
        KeyPair keys = NoteKeys.generate();

        // When
        byte[] rawPublic = NoteKeys.rawPublicKey(keys.getPublic());
        byte[] rawPrivate = NoteKeys.rawPrivateKey(keys.getPrivate());
        String signerKey = NoteKeys.signerKey("cordon.example/audit", keys);
        String verifierKey = NoteKeys.verifierKey("cordon.example/audit", NoteKeys.TYPE_ED25519, keys.getPublic());

        // Then
        assertThat(rawPublic).hasSize(32);
        assertThat(rawPrivate).hasSize(32);
        assertThat(NoteKeys.rawPublicKey(NoteKeys.publicKeyFromRaw(rawPublic))).isEqualTo(rawPublic);
        assertThat(NoteKeys.rawPrivateKey(NoteKeys.privateKeyFromRaw(rawPrivate))).isEqualTo(rawPrivate);
        assertThat(NoteKeys.publicKeyFromX509(keys.getPublic().getEncoded()).getEncoded()).isEqualTo(keys.getPublic().getEncoded());
        assertThat(NoteKeys.privateKeyFromPkcs8(keys.getPrivate().getEncoded()).getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        String text = "hello\n";
        SignedNote signed = NoteSigner.fromSignerKey(signerKey).signNote(text);
        assertThat(NoteVerifier.open(signed.format(), List.of(NoteVerifier.fromVerifierKey(verifierKey))).text()).isEqualTo(text);
        assertThat(signed).isEqualTo(NoteSigner.of("cordon.example/audit", keys).signNote(text));
    }

    @Test
    void shouldRejectMalformedVerifierKeys() {
        String good = V.getProperty("peter.verifierKey");
        assertThatThrownBy(() -> NoteVerifier.fromVerifierKey("PeterNeumann+c74f20a3")).hasMessageContaining("verifierKey");
        assertThatThrownBy(() -> NoteVerifier.fromVerifierKey(good.replace("c74f20a3", "00000000")))
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> NoteVerifier.fromVerifierKey(good.replace("c74f20a3", "C74F20A3")))
                .hasMessageContaining("hex");
        assertThatThrownBy(() -> NoteVerifier.fromVerifierKey(good + "AA")).hasMessageContaining("verifierKey");
        assertThatThrownBy(() -> NoteVerifier.fromVerifierKey("rekor.sigstore.dev+12345678+AwEB"))
                .hasMessageContaining("verifierKey");
    }

    @Test
    void shouldRejectMalformedNotes() {
        NoteVerifier peter = NoteVerifier.fromVerifierKey(V.getProperty("peter.verifierKey"));
        String good = note("peter.note");
        for (String bad : List.of(
                good.substring(0, good.length() - 1),                  // missing-final-newline
                good.replace("\n\n", "\n"),                            // missing-blank-line
                good.replace("\u2014 ", "- "),                         // hyphen-instead-of-em-dash
                good.replace("PeterNeumann ", "Peter Neumann "),       // space-in-key-name
                good.replace("x08go", "x08g!"),                        // invalid-base64
                good.replace("problem,", "problem,\u0007"),            // control-character
                "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")) { // empty-text
            assertThatThrownBy(() -> NoteVerifier.open(bad, List.of(peter))).as(bad)
                    .isInstanceOfSatisfying(NoteVerificationException.class,
                            e -> assertThat(e.reason()).isIn(NoteVerificationException.Reason.MALFORMED,
                                    NoteVerificationException.Reason.BAD_SIGNATURE));
        }
    }

    @Test
    void shouldSplitTextAndSignaturesAtTheLastBlankLine() {
        // Given a text that itself contains an empty line
        KeyPair keys = NoteKeys.generate();
        String text = "para one\n\npara two\n";
        String formatted = NoteSigner.of("k", keys).signNote(text).format();

        // When
        SignedNote parsed = SignedNote.parse(formatted);

        // Then
        assertThat(parsed.text()).isEqualTo(text);
        assertThat(NoteVerifier.open(parsed, List.of(NoteVerifier.ed25519("k", keys.getPublic()))).text()).isEqualTo(text);
    }
}
