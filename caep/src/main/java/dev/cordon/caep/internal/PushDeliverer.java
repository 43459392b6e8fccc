package dev.cordon.caep.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cordon.caep.CaepConfig;
import dev.cordon.caep.CaepEvents;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes pending SETs to push receivers (RFC 8935): one {@code POST} per SET with
 * {@code Content-Type: application/secevent+jwt}, {@code Accept: application/json} and the receiver's configured
 * {@code Authorization}; the body is the compact JWS.
 *
 * <p>Outcome per answer (RFC 8935 §2.2–2.4): {@code 202} delivered; {@code 400} (with {@code {"err", "description"}})
 * and any other 4xx except 401, 403, 408 and 429 — the receiver refuses this SET, so it is marked FAILED and not
 * sent again; anything else (401/403 — credentials may be fixed —, 408, 429, 5xx, no answer) is retried after
 * {@code backoff × 2^(attempt-1)}, capped, until {@code caep.push.max.attempts}. Redirects are not followed.
 * A push in flight when the process dies is retried after its lease with the same bytes and {@code jti}, so a
 * receiver may see a SET twice only in that case, and can drop it by {@code jti} (RFC 8417 §2.2).
 */
public final class PushDeliverer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PushDeliverer.class);
    private static final int BATCH = 50;
    private static final long IDLE_WAIT_MS = 1_000;

    private final ObjectMapper json = new ObjectMapper();
    private final DeliveryStore store;
    private final NewEvents newEvents;
    private final Map<String, CaepConfig.Receiver> receivers;
    private final HttpClient http;
    private final long timeoutMs;
    private final long backoffMs;
    private final long backoffMaxMs;
    private final int maxAttempts;
    private volatile boolean running = true;

    public PushDeliverer(DeliveryStore store, NewEvents newEvents, List<CaepConfig.Receiver> pushReceivers,
                         long timeoutMs, long backoffMs, long backoffMaxMs, int maxAttempts) {
        this.store = store;
        this.newEvents = newEvents;
        this.receivers = pushReceivers.stream().collect(Collectors.toUnmodifiableMap(CaepConfig.Receiver::name, Function.identity()));
        this.timeoutMs = timeoutMs;
        this.backoffMs = backoffMs;
        this.backoffMaxMs = backoffMaxMs;
        this.maxAttempts = maxAttempts;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(timeoutMs))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public void run() {
        while (running) {
            long seen = newEvents.version();
            try {
                List<DeliveryStore.Claimed> due = store.claimPush(receivers.keySet(), BATCH, timeoutMs * 2 + 1_000);
                for (DeliveryStore.Claimed set : due) {
                    if (!running) {
                        return;
                    }
                    push(set);
                }
                if (due.isEmpty()) {
                    long next = store.millisUntilNextDue(receivers.keySet());
                    newEvents.awaitChange(seen, next < 0 ? IDLE_WAIT_MS : Math.min(Math.max(next, 1), IDLE_WAIT_MS));
                }
            } catch (SQLException e) {
                LOG.warn("CAEP push: delivery store unavailable, retrying: {}", e.toString());
                try {
                    newEvents.awaitChange(Long.MIN_VALUE, IDLE_WAIT_MS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void push(DeliveryStore.Claimed set) throws SQLException, InterruptedException {
        CaepConfig.Receiver receiver = receivers.get(set.receiver());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(receiver.pushUrl()))
                .timeout(Duration.ofMillis(timeoutMs))
                .header("Content-Type", CaepEvents.SET_MEDIA_TYPE)
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(set.jws(), StandardCharsets.US_ASCII));
        if (receiver.pushAuthorization() != null) {
            request.header("Authorization", receiver.pushAuthorization());
        }
        int status;
        String body;
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
            body = response.body();
        } catch (IOException e) {
            retry(set, "no answer from " + receiver.pushUrl() + ": " + e);
            return;
        }
        if (status == 202) {
            store.markDelivered(set.receiver(), set.jti());
            return;
        }
        String error = "HTTP " + status + describe(body);
        boolean transientFailure = status == 401 || status == 403 || status == 408 || status == 429 || status >= 500 || status < 400;
        if (transientFailure) {
            retry(set, error);
        } else {
            LOG.error("CAEP push: receiver {} refused SET {} ({}); not sending it again", set.receiver(), set.jti(), error);
            store.markFailed(set.receiver(), set.jti(), error);
        }
    }

    private void retry(DeliveryStore.Claimed set, String error) throws SQLException {
        if (set.attempts() >= maxAttempts) {
            LOG.error("CAEP push: SET {} to {} failed {} times, giving up: {}", set.jti(), set.receiver(), set.attempts(), error);
            store.markFailed(set.receiver(), set.jti(), "gave up after " + set.attempts() + " attempts: " + error);
            return;
        }
        long delay = backoffMs << Math.min(set.attempts() - 1, 30);
        delay = Math.min(delay < 0 ? backoffMaxMs : delay, backoffMaxMs);
        LOG.warn("CAEP push: SET {} to {} attempt {} failed ({}); next try in {} ms", set.jti(), set.receiver(), set.attempts(),
                error, delay);
        store.retryLater(set.receiver(), set.jti(), error, delay);
    }

    private String describe(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode node = json.readTree(body);
            if (node.hasNonNull("err")) {
                return " err=" + node.get("err").asText() + (node.hasNonNull("description") ? " (" + node.get("description").asText() + ")" : "");
            }
        } catch (IOException notJson) {
            // fall through
        }
        return " " + (body.length() > 200 ? body.substring(0, 200) + "…" : body);
    }

    /** Stops the loop after the current push. */
    public void stop() {
        running = false;
        newEvents.signal();
    }
}
