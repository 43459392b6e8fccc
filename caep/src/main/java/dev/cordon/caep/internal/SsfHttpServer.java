package dev.cordon.caep.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.caep.CaepConfig;
import dev.cordon.caep.CaepEvents;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transmitter's HTTP endpoints (Javalin):
 * <ul>
 *   <li>{@code POST /ssf/poll} — RFC 8936 poll, bearer token of a poll receiver. Request (all optional):
 *       {@code maxEvents} (≥ 0; capped at {@code caep.poll.max.events}; 0 = only acknowledge),
 *       {@code returnImmediately} (default false: wait up to {@code caep.poll.wait.ms} for a SET),
 *       {@code ack} (jtis now handled), {@code setErrs} ({@code {jti: {err, description}}}, rejected SETs — not
 *       offered again). Acknowledgements are applied before SETs are chosen. Response 200
 *       {@code {"sets": {jti: SET}, "moreAvailable": bool}}; 400 {@code {"err": "invalid_request", "description"}}
 *       for a malformed request; 401 with {@code WWW-Authenticate: Bearer} for a missing or unknown token.</li>
 *   <li>{@code GET /jwks.json} — the public signing key (JWK Set), to verify SETs.</li>
 *   <li>{@code GET /.well-known/ssf-configuration} — SSF transmitter metadata ({@code issuer}, {@code jwks_uri},
 *       {@code delivery_methods_supported}).</li>
 * </ul>
 */
public final class SsfHttpServer {
    private static final Logger LOG = LoggerFactory.getLogger(SsfHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DeliveryStore store;
    private final NewEvents newEvents;
    private final List<CaepConfig.Receiver> pollReceivers;
    private final String issuer;
    private final String jwks;
    private final int maxEvents;
    private final long waitMs;
    private final long redeliveryMs;
    private volatile String publicBase = "";

    public SsfHttpServer(DeliveryStore store, NewEvents newEvents, List<CaepConfig.Receiver> pollReceivers, String issuer,
                         String jwks, int maxEvents, long waitMs, long redeliveryMs) {
        this.store = store;
        this.newEvents = newEvents;
        this.pollReceivers = pollReceivers;
        this.issuer = issuer;
        this.jwks = jwks;
        this.maxEvents = maxEvents;
        this.waitMs = waitMs;
        this.redeliveryMs = redeliveryMs;
    }

    /** @return a configured, not yet started server */
    public Javalin create() {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.maxRequestSize = 1_000_000L;
        });
        app.post(CaepEvents.POLL_PATH, this::poll);
        app.get(CaepEvents.JWKS_PATH, ctx -> ctx.contentType("application/jwk-set+json").result(jwks));
        app.get(CaepEvents.SSF_CONFIGURATION_PATH, this::configuration);
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("CAEP: unexpected error on {} {}", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal_error", e.getClass().getSimpleName());
        });
        return app;
    }

    /** Sets the base URL the metadata advertises (known once the port is bound). */
    public void publicBase(String base) {
        this.publicBase = base;
    }

    private void configuration(Context ctx) {
        ObjectNode body = JSON.createObjectNode();
        body.put("spec_version", "1_0");
        body.put("issuer", issuer);
        body.put("jwks_uri", publicBase + CaepEvents.JWKS_PATH);
        ArrayNode methods = body.putArray("delivery_methods_supported");
        methods.add(CaepEvents.PUSH_DELIVERY);
        methods.add(CaepEvents.POLL_DELIVERY);
        body.put("poll_endpoint", publicBase + CaepEvents.POLL_PATH);
        body.putArray("events_supported").add(CaepEvents.SESSION_REVOKED);
        ctx.json(body.toString());
        ctx.contentType("application/json");
    }

    private void poll(Context ctx) throws SQLException, InterruptedException {
        CaepConfig.Receiver receiver = authenticate(ctx.header("Authorization"));
        if (receiver == null) {
            ctx.header("WWW-Authenticate", "Bearer");
            error(ctx, 401, "authentication_failed", "a poll receiver's bearer token is required");
            return;
        }
        JsonNode request;
        try {
            String text = ctx.body();
            request = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            error(ctx, 400, "invalid_request", "body is not JSON: " + e.getOriginalMessage());
            return;
        }
        if (!request.isObject()) {
            error(ctx, 400, "invalid_request", "body must be a JSON object");
            return;
        }
        JsonNode max = request.get("maxEvents");
        if (max != null && (!max.canConvertToInt() || !max.isIntegralNumber() || max.asInt() < 0)) {
            error(ctx, 400, "invalid_request", "maxEvents must be a non-negative integer");
            return;
        }
        JsonNode immediately = request.get("returnImmediately");
        if (immediately != null && !immediately.isBoolean()) {
            error(ctx, 400, "invalid_request", "returnImmediately must be true or false");
            return;
        }
        JsonNode ack = request.get("ack");
        if (ack != null && (!ack.isArray() || !allText(ack))) {
            error(ctx, 400, "invalid_request", "ack must be an array of jti strings");
            return;
        }
        JsonNode errs = request.get("setErrs");
        if (errs != null && !errs.isObject()) {
            error(ctx, 400, "invalid_request", "setErrs must be an object {jti: {err, description}}");
            return;
        }
        if (ack != null) {
            for (JsonNode jti : ack) {
                store.markDelivered(receiver.name(), jti.asText());
            }
        }
        if (errs != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = errs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String err = e.getValue().path("err").asText("");
                String description = e.getValue().path("description").asText("");
                LOG.warn("CAEP poll: receiver {} rejected SET {}: {} {}", receiver.name(), e.getKey(), err, description);
                store.markFailed(receiver.name(), e.getKey(), ("receiver error " + err + " " + description).trim());
            }
        }
        int limit = max == null ? maxEvents : Math.min(max.asInt(), maxEvents);
        boolean returnImmediately = (immediately != null && immediately.asBoolean()) || limit == 0;
        List<DeliveryStore.Claimed> sets = store.takeForPoll(receiver.name(), limit, redeliveryMs);
        long deadline = System.nanoTime() + waitMs * 1_000_000L;
        while (sets.isEmpty() && !returnImmediately) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                break;
            }
            long seen = newEvents.version();
            sets = store.takeForPoll(receiver.name(), limit, redeliveryMs);
            if (sets.isEmpty()) {
                // woken by a new SET, or re-checked each second for SETs due again (redelivery)
                newEvents.awaitChange(seen, Math.min(left, 1_000));
                sets = store.takeForPoll(receiver.name(), limit, redeliveryMs);
            }
        }
        ObjectNode body = JSON.createObjectNode();
        ObjectNode out = body.putObject("sets");
        sets.forEach(s -> out.put(s.jti(), s.jws()));
        body.put("moreAvailable", limit > 0 && store.hasAvailable(receiver.name()));
        ctx.status(200).contentType("application/json").result(body.toString());
    }

    private CaepConfig.Receiver authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        byte[] presented = HexFormat.of().parseHex(CaepConfig.sha256Hex(authorization.substring(7).trim()));
        CaepConfig.Receiver match = null;
        for (CaepConfig.Receiver r : pollReceivers) {
            // constant-time comparison of hashes; every receiver is compared
            if (MessageDigest.isEqual(presented, HexFormat.of().parseHex(r.pollTokenSha256()))) {
                match = r;
            }
        }
        return match;
    }

    private static boolean allText(JsonNode array) {
        for (JsonNode n : array) {
            if (!n.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static void error(Context ctx, int status, String err, String description) {
        ObjectNode body = JSON.createObjectNode();
        body.put("err", err);
        body.put("description", description);
        ctx.status(status).contentType("application/json").result(body.toString().getBytes(StandardCharsets.UTF_8));
    }
}
