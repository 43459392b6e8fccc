package dev.cordon.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.AbstractConfig;
import org.junit.jupiter.api.Test;

class OpsServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> get(OpsServer server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.baseUri().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeRegistryInPrometheusTextFormatWithServiceTagAndJvmMetrics() throws Exception {
        // Given a registry with a counter, served on an ephemeral loopback port
        try (OpsMetrics metrics = OpsMetrics.create("test-service");
             OpsServer server = OpsServer.start("127.0.0.1", 0, metrics.registry(), List.of(), List.of())) {
            Counter c = Counter.builder(MetricNames.AUDIT_DEAD_LETTERS).register(metrics.registry());
            c.increment(3);

            // When scraped
            HttpResponse<String> r = get(server, "/metrics");

            // Then the counter, the common tag and the JVM binders are in the text format
            assertThat(server.port()).isPositive();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(r.body()).contains("cordon_audit_dead_letters_total{service=\"test-service\"} 3.0")
                    .contains("jvm_memory_used_bytes").contains("jvm_threads_live_threads").contains("process_uptime_seconds");
        }
    }

    @Test
    void shouldAnswer503NamingFailingReadinessChecksAnd200WhenTheyRecover() throws Exception {
        // Given one readiness check that is down and one that is up
        AtomicBoolean sinkUp = new AtomicBoolean(false);
        List<HealthCheck> ready = List.of(HealthCheck.of("audit-sink", sinkUp::get, () -> "db insert refused"),
                HealthCheck.of("always", () -> true, () -> null));
        List<HealthCheck> live = List.of(new HealthCheck("throws", () -> {
            throw new IllegalStateException("boom");
        }));
        try (OpsMetrics metrics = OpsMetrics.create("t");
             OpsServer server = OpsServer.start("127.0.0.1", 0, metrics.registry(), live, ready)) {
            // When readiness is asked
            HttpResponse<String> down = get(server, "/health/ready");

            // Then 503 with the failing check named and its detail
            assertThat(down.statusCode()).isEqualTo(503);
            JsonNode body = JSON.readTree(down.body());
            assertThat(body.get("status").asText()).isEqualTo("DOWN");
            assertThat(body.get("failing")).extracting(JsonNode::asText).containsExactly("audit-sink");
            assertThat(body.get("checks").get(0).get("detail").asText()).isEqualTo("db insert refused");

            // And a probe that throws is down, not an error page
            HttpResponse<String> live503 = get(server, "/health/live");
            assertThat(live503.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(live503.body()).get("checks").get(0).get("detail").asText()).contains("boom");

            // When the check recovers, readiness is 200
            sinkUp.set(true);
            HttpResponse<String> up = get(server, "/health/ready");
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(up.body()).get("status").asText()).isEqualTo("UP");
        }
    }

    @Test
    void shouldNameThePortWhenItIsInUse() {
        try (OpsMetrics metrics = OpsMetrics.create("t");
             OpsServer first = OpsServer.start("127.0.0.1", 0, metrics.registry(), List.of(), List.of())) {
            assertThatThrownBy(() -> OpsServer.start("127.0.0.1", first.port(), metrics.registry(), List.of(), List.of()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("ops.port")
                    .hasMessageContaining(Integer.toString(first.port()));
        }
    }

    @Test
    void shouldMergeOpsFragmentIntoAServiceConfigWithLoopbackDefaultAndDisabledByDefault() {
        // Given a service definition with the fragment merged
        ConfigDef def = OpsConfig.define(new ConfigDef().define("x", ConfigDef.Type.STRING, "y", ConfigDef.Importance.LOW, "x"),
                OpsConfig.DEFAULT_PORT_AUDIT_SINK);

        // Then defaults are disabled, loopback, the service's port
        OpsConfig.Settings s = OpsConfig.settings(new AbstractConfig(def, java.util.Map.of()));
        assertThat(s).isEqualTo(new OpsConfig.Settings(false, "127.0.0.1", 9402));
        assertThat(OpsServer.startIfEnabled(s, OpsMetrics.create("t").registry(), List.of(), List.of())).isEmpty();

        // And a bad port is refused naming the key
        assertThatThrownBy(() -> new AbstractConfig(def, java.util.Map.of("ops.port", "70000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ops.port");
    }

    @Test
    void shouldTimeRequestsByRouteTemplate() throws Exception {
        // Given a Javalin app with the request logger
        try (OpsMetrics metrics = OpsMetrics.create("t")) {
            io.javalin.Javalin app = io.javalin.Javalin.create(c -> {
                c.showJavalinBanner = false;
                c.requestLogger.http(HttpMetrics.requestLogger(metrics.registry(), MetricNames.INGEST_HTTP_REQUESTS));
            }).get("/v1/directives/{id}", ctx -> ctx.status(404)).start("127.0.0.1", 0);
            try {
                // When two different ids are requested
                for (String id : List.of("a", "b")) {
                    HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/directives/" + id)).build(),
                            HttpResponse.BodyHandlers.ofString());
                }
            } finally {
                app.stop();
            }
            // Then one series by template, counting both
            assertThat(metrics.scrape()).contains("cordon_ingest_http_requests_seconds_count{method=\"GET\","
                    + "route=\"/v1/directives/{id}\",service=\"t\",status=\"404\"} 2");
        }
    }
}
