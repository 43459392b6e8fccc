package dev.cordon.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics and health endpoint of a Cordon service, on Javalin:
 * <ul>
 *   <li>{@code GET /metrics}: the registry in the Prometheus text exposition format 0.0.4
 *       ({@code text/plain; version=0.0.4; charset=utf-8});</li>
 *   <li>{@code GET /health/live}: liveness — 200 when every liveness check is up, else 503 (the orchestrator
 *       restarts the process);</li>
 *   <li>{@code GET /health/ready}: readiness — 200 when every readiness check is up, else 503 (take it out of
 *       service, alert).</li>
 * </ul>
 * Health bodies are JSON: {@code {"status":"UP"|"DOWN","failing":["name",…],"checks":[{"name","status","detail"}…]}}.
 * An empty list of checks is up. Checks run on the request thread (see {@link HealthCheck}).
 */
public final class OpsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Path of the Prometheus endpoint. */
    public static final String METRICS_PATH = "/metrics";
    /** Path of the liveness endpoint. */
    public static final String LIVE_PATH = "/health/live";
    /** Path of the readiness endpoint. */
    public static final String READY_PATH = "/health/ready";

    /** Content type of the Prometheus text exposition format 0.0.4. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Javalin app;
    private final String host;

    private OpsServer(Javalin app, String host) {
        this.app = app;
        this.host = host;
    }

    /**
     * Starts serving; returns once the port is bound.
     *
     * @param host      bind address, e.g. {@code 127.0.0.1} (the default of {@code ops.host})
     * @param port      TCP port, 0 for an ephemeral one (read it back with {@link #port()})
     * @param registry  the registry to scrape
     * @param liveness  liveness checks (copied)
     * @param readiness readiness checks (copied)
     * @return the running server; close it
     * @throws IllegalStateException naming host and port when it cannot listen (port in use, bad address)
     */
    public static OpsServer start(String host, int port, PrometheusMeterRegistry registry, List<HealthCheck> liveness,
                                  List<HealthCheck> readiness) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(registry, "registry");
        List<HealthCheck> live = List.copyOf(liveness);
        List<HealthCheck> ready = List.copyOf(readiness);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(OpsConfig.OPS_PORT_CONFIG + ": " + port + " is not a TCP port (0-65535)");
        }
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
        });
        app.get(METRICS_PATH, ctx -> {
            ctx.contentType(PROMETHEUS_TEXT);
            ctx.result(registry.scrape(PROMETHEUS_TEXT));
        });
        app.get(LIVE_PATH, ctx -> answer(ctx, live));
        app.get(READY_PATH, ctx -> answer(ctx, ready));
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            app.stop();
            throw new IllegalStateException(OpsConfig.OPS_PORT_CONFIG + ": cannot listen on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        LOG.info("metrics and health on http://{}:{} ({}, {}, {})", host, app.port(), METRICS_PATH, LIVE_PATH, READY_PATH);
        return new OpsServer(app, host);
    }

    /**
     * Starts the server when {@code settings.enabled()}.
     *
     * @return the running server, or empty when disabled
     * @throws IllegalStateException as {@link #start(String, int, PrometheusMeterRegistry, List, List)}
     */
    public static Optional<OpsServer> startIfEnabled(OpsConfig.Settings settings, PrometheusMeterRegistry registry,
                                                     List<HealthCheck> liveness, List<HealthCheck> readiness) {
        if (!settings.enabled()) {
            return Optional.empty();
        }
        return Optional.of(start(settings.host(), settings.port(), registry, liveness, readiness));
    }

    /**
     * Evaluates {@code checks}.
     *
     * @return the JSON body described in the class comment
     */
    public static ObjectNode report(List<HealthCheck> checks) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode failing = JSON.createArrayNode();
        ArrayNode all = JSON.createArrayNode();
        for (HealthCheck check : checks) {
            HealthCheck.Result r = check.evaluate();
            ObjectNode n = all.addObject();
            n.put("name", check.name());
            n.put("status", r.up() ? "UP" : "DOWN");
            if (r.detail() != null) {
                n.put("detail", r.detail());
            }
            if (!r.up()) {
                failing.add(check.name());
            }
        }
        body.put("status", failing.isEmpty() ? "UP" : "DOWN");
        body.set("failing", failing);
        body.set("checks", all);
        return body;
    }

    private static void answer(Context ctx, List<HealthCheck> checks) throws Exception {
        ObjectNode body = report(checks);
        ctx.status("UP".equals(body.get("status").asText()) ? 200 : 503);
        ctx.contentType("application/json");
        ctx.header("Cache-Control", "no-store");
        ctx.result(JSON.writeValueAsString(body));
    }

    /** @return the bound port */
    public int port() {
        return app.port();
    }

    /** @return the base URI, e.g. {@code http://127.0.0.1:9402} (a wildcard bind address is shown as loopback) */
    public java.net.URI baseUri() {
        String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        return java.net.URI.create("http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port());
    }

    /** Stops the server. Idempotent. */
    @Override
    public void close() {
        app.stop();
    }
}
