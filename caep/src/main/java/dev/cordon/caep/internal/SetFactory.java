package dev.cordon.caep.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.caep.CaepEvents;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Builds and signs the CAEP 1.0 {@code session-revoked} SET for one REVOKE command and one receiver.
 *
 * <p>Shape (RFC 8417 as profiled by SSF 1.0; CAEP 1.0 §3.1): header {@code alg RS256}, {@code typ secevent+jwt},
 * {@code kid}; claims {@code iss}, {@code jti}, {@code iat}, {@code aud}, {@code txn} (the command's
 * {@code changeId}, omitted when the command has none), top-level {@code sub_id} — a {@code complex} subject
 * with {@code session} ({@code opaque}, the session id) and {@code user} ({@code iss_sub} when a user issuer is
 * configured, else {@code opaque}) — and {@code events} with the session-revoked event carrying
 * {@code event_timestamp} (the command's {@code issuedAt}, seconds), {@code initiating_entity: policy} and
 * {@code reason_admin.en} naming the directive, revision, legal basis, matched group and resource. No {@code exp}
 * (SSF: MUST NOT).
 */
public final class SetFactory {
    private final String issuer;
    private final String userIssuer;
    private final SigningKey key;
    private final RSASSASigner signer;

    /**
     * @param issuer     {@code iss}
     * @param userIssuer issuer of user ids for an {@code iss_sub} user subject; empty for {@code opaque}
     * @param key        the RS256 key
     */
    public SetFactory(String issuer, String userIssuer, SigningKey key) {
        this.issuer = issuer;
        this.userIssuer = userIssuer;
        this.key = key;
        try {
            this.signer = new RSASSASigner(key.privateKey());
        } catch (JOSEException e) {
            throw new IllegalStateException("caep.signing.key.file: the key cannot sign RS256: " + e.getMessage(), e);
        }
    }

    /**
     * @return the deterministic {@code jti} of the SET for {@code commandId} sent to {@code receiver}: a name-based
     *         UUID, so reading a command twice yields the same id (and the delivery store keeps one copy)
     */
    public static String jti(String receiver, String commandId) {
        return UUID.nameUUIDFromBytes(("cordon-caep\n" + receiver + "\n" + commandId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * @param command  a REVOKE command
     * @param receiver receiver name (for the {@code jti})
     * @param audience the receiver's {@code aud}
     * @param now      the SET's {@code iat}
     * @return the compact JWS
     */
    public String sessionRevoked(RevocationCommand command, String receiver, String audience, Instant now) {
        Map<String, Object> session = new LinkedHashMap<>();
        session.put("format", "opaque");
        session.put("id", command.getSessionId());
        Map<String, Object> user = new LinkedHashMap<>();
        if (userIssuer.isEmpty()) {
            user.put("format", "opaque");
            user.put("id", command.getUserId());
        } else {
            user.put("format", "iss_sub");
            user.put("iss", userIssuer);
            user.put("sub", command.getUserId());
        }
        Map<String, Object> subject = new LinkedHashMap<>();
        subject.put("format", "complex");
        subject.put("session", session);
        subject.put("user", user);

        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event_timestamp", command.getIssuedAt().getEpochSecond());
        event.put("initiating_entity", "policy");
        event.put("reason_admin", Map.of("en", reasonAdmin(command)));

        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .jwtID(jti(receiver, command.getCommandId()))
                .issueTime(Date.from(now))
                .audience(audience)
                .claim("sub_id", subject)
                .claim("events", Map.of(CaepEvents.SESSION_REVOKED, event));
        if (command.getChangeId() != null) {
            claims.claim("txn", command.getChangeId());
        }
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .type(new JOSEObjectType(CaepEvents.SET_TYP))
                .keyID(key.keyId())
                .build();
        SignedJWT jwt = new SignedJWT(header, claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing the SET for command " + command.getCommandId() + " failed", e);
        }
        return jwt.serialize();
    }

    /** @return the administrator-facing reason: directive, revision, legal basis, why it matched, where */
    static String reasonAdmin(RevocationCommand command) {
        StringBuilder sb = new StringBuilder("Cordon directive ").append(command.getDirectiveId())
                .append(" revision ").append(command.getDirectiveRevision());
        if (command.getLegalBasis() != null) {
            sb.append(" (legal basis: ").append(command.getLegalBasis()).append(')');
        }
        sb.append(": session on ").append(command.getResource()).append(" revoked; matched ").append(command.getMatched());
        if (command.getAttempt() > 1) {
            sb.append("; re-revocation attempt ").append(command.getAttempt());
        }
        return sb.toString();
    }
}
