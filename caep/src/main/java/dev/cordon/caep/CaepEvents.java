package dev.cordon.caep;

/**
 * Names from the specifications the transmitter implements, in one place.
 *
 * <ul>
 *   <li>OpenID CAEP 1.0 (final), "Session Revoked": event type {@link #SESSION_REVOKED};</li>
 *   <li>RFC 8417 (Security Event Token): media type {@link #SET_MEDIA_TYPE}, JOSE {@code typ} {@link #SET_TYP};</li>
 *   <li>OpenID SSF 1.0: delivery method URIs {@link #PUSH_DELIVERY} (RFC 8935) and {@link #POLL_DELIVERY} (RFC 8936).</li>
 * </ul>
 */
public final class CaepEvents {
    /** CAEP 1.0 session-revoked event type URI. */
    public static final String SESSION_REVOKED = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    /** JOSE header {@code typ} of a SET (RFC 8417 §2.3). */
    public static final String SET_TYP = "secevent+jwt";
    /** Content type of a pushed SET (RFC 8935 §2). */
    public static final String SET_MEDIA_TYPE = "application/secevent+jwt";
    /** SSF delivery method: push (RFC 8935). */
    public static final String PUSH_DELIVERY = "urn:ietf:rfc:8935";
    /** SSF delivery method: poll (RFC 8936). */
    public static final String POLL_DELIVERY = "urn:ietf:rfc:8936";
    /** Path of the RFC 8936 poll endpoint. */
    public static final String POLL_PATH = "/ssf/poll";
    /** Path of the public signing keys (JWK Set, RFC 7517). */
    public static final String JWKS_PATH = "/jwks.json";
    /** Path of the SSF transmitter configuration metadata (SSF 1.0 §7.1). */
    public static final String SSF_CONFIGURATION_PATH = "/.well-known/ssf-configuration";

    private CaepEvents() {
    }
}
