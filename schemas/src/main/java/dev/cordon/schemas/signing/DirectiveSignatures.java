package dev.cordon.schemas.signing;

import dev.cordon.avro.DirectiveChange;
import dev.cordon.schemas.serde.AvroBinary;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Signatures of directive changes (issue 6 point 4): directive-ingest signs every {@code DirectiveChange} it
 * publishes; every reader of directive-changes (ingest's own catch-up, enforcement-stream after the multicast)
 * verifies it against its trusted keys and refuses unsigned, forged and unknown-key records.
 *
 * <p>Format: an Ed25519 signature (RFC 8032, 64 bytes, JDK {@code Signature.getInstance("Ed25519")}) over the
 * canonical bytes of the change — {@link AvroBinary#encode} of the record, i.e. plain Avro binary without the
 * Confluent framing, so it does not depend on a registry's schema id — carried in two record headers:
 * <ul>
 *   <li>{@value #HEADER_KEY_ID}: the signing key id, UTF-8 ({@link SigningKey#KEY_ID});</li>
 *   <li>{@value #HEADER_SIGNATURE}: the 64 raw signature bytes.</li>
 * </ul>
 * The canonical bytes are re-computed by the verifier from the decoded record with its own (reader) schema, so
 * writer and verifier must use the same {@code DirectiveChange} schema: when the schema evolves, upgrade the
 * verifiers' trust of the new writer version together with the writer (DESIGN.md "Avro"); a mismatch is
 * reported as {@link DirectiveSignatureException.Reason#FORGED} with a message that says so.
 *
 * <p>Kafka Streams keeps record headers through {@code repartition()} as long as processors forward them, so a
 * verifier placed after the multicast sees the headers the producer wrote.
 */
public final class DirectiveSignatures {
    /** Header carrying the signing key id (UTF-8). */
    public static final String HEADER_KEY_ID = "cordon.signature.key-id";
    /** Header carrying the 64-byte Ed25519 signature. */
    public static final String HEADER_SIGNATURE = "cordon.signature";
    /** Length of an Ed25519 signature, bytes (RFC 8032 section 5.1.6). */
    public static final int SIGNATURE_BYTES = 64;

    private DirectiveSignatures() {
    }

    /**
     * @param change the change to sign
     * @param key    the signing key
     * @return the 64-byte Ed25519 signature over {@link AvroBinary#encode}{@code (change)}
     * @throws org.apache.kafka.common.errors.SerializationException when the change is not encodable
     */
    public static byte[] sign(DirectiveChange change, SigningKey key) {
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(key, "key");
        try {
            Signature signer = Signature.getInstance(SigningKey.ALGORITHM);
            signer.initSign(key.privateKey());
            signer.update(AvroBinary.encode(change));
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with key " + key.keyId() + ": " + e, e);
        }
    }

    /**
     * Signs {@code change} and sets both headers on {@code headers} (replacing earlier ones).
     *
     * @return {@code headers}, for chaining
     */
    public static Headers sign(DirectiveChange change, SigningKey key, Headers headers) {
        byte[] signature = sign(change, key);
        headers.remove(HEADER_KEY_ID);
        headers.remove(HEADER_SIGNATURE);
        headers.add(HEADER_KEY_ID, key.keyId().getBytes(StandardCharsets.UTF_8));
        headers.add(HEADER_SIGNATURE, signature);
        return headers;
    }

    /**
     * Verifies the signature headers of a decoded change.
     *
     * @param change  the decoded record value
     * @param headers the record's headers (the last header of each name counts)
     * @param trusted the keys to accept
     * @return the key id that signed it
     * @throws DirectiveSignatureException UNSIGNED (a header is missing), MALFORMED (key id not UTF-8 text, or a
     *                                     signature that is not 64 bytes), UNKNOWN_KEY (key id not trusted) or
     *                                     FORGED (the signature does not verify); the message names the change,
     *                                     the key id and the reason
     */
    public static String verify(DirectiveChange change, Headers headers, TrustedKeys trusted) {
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(trusted, "trusted");
        String what = "directive change " + change.getChangeId() + " (" + change.getDirectiveId() + " revision "
                + change.getRevision() + ")";
        Header keyIdHeader = headers == null ? null : headers.lastHeader(HEADER_KEY_ID);
        Header signatureHeader = headers == null ? null : headers.lastHeader(HEADER_SIGNATURE);
        if (keyIdHeader == null || keyIdHeader.value() == null || signatureHeader == null || signatureHeader.value() == null) {
            throw new DirectiveSignatureException(DirectiveSignatureException.Reason.UNSIGNED, null, what
                    + " is unsigned: headers " + HEADER_KEY_ID + " and " + HEADER_SIGNATURE + " are required; only "
                    + "directive-ingest may publish directive changes");
        }
        String keyId;
        try {
            keyId = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(keyIdHeader.value())).toString();
        } catch (CharacterCodingException e) {
            throw new DirectiveSignatureException(DirectiveSignatureException.Reason.MALFORMED, null, what
                    + ": header " + HEADER_KEY_ID + " is not UTF-8 text");
        }
        if (!SigningKey.KEY_ID.matcher(keyId).matches()) {
            throw new DirectiveSignatureException(DirectiveSignatureException.Reason.MALFORMED, null, what
                    + ": header " + HEADER_KEY_ID + " is not a key id (1 to 64 letters, digits and `. _ -`)");
        }
        byte[] signature = signatureHeader.value();
        if (signature.length != SIGNATURE_BYTES) {
            throw new DirectiveSignatureException(DirectiveSignatureException.Reason.MALFORMED, keyId, what
                    + ": header " + HEADER_SIGNATURE + " has " + signature.length + " bytes; an Ed25519 signature has "
                    + SIGNATURE_BYTES);
        }
        PublicKey key = trusted.get(keyId).orElseThrow(() -> new DirectiveSignatureException(
                DirectiveSignatureException.Reason.UNKNOWN_KEY, keyId, what + " is signed by key `" + keyId
                + "`, which is not trusted (trusted: " + trusted.keyIds() + ")"));
        boolean valid;
        try {
            Signature verifier = Signature.getInstance(SigningKey.ALGORITHM);
            verifier.initVerify(key);
            verifier.update(AvroBinary.encode(change));
            valid = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            valid = false;
        }
        if (!valid) {
            throw new DirectiveSignatureException(DirectiveSignatureException.Reason.FORGED, keyId, what
                    + ": the signature by key `" + keyId + "` does not verify over its canonical Avro bytes; the record "
                    + "was altered or forged (or written with another DirectiveChange schema version than this reader's)");
        }
        return keyId;
    }
}
