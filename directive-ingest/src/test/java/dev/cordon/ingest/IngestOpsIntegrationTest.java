package dev.cordon.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.testkit.CordonCluster;
import dev.cordon.testkit.WithCordonCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ingest service's metrics and health endpoint (issue 7 §4), under a topic prefix of its own. */
@WithCordonCluster
@Tag("integration")
@Timeout(120)
class IngestOpsIntegrationTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void shouldCountAcceptedAndRefusedDirectivesOnMetricsAndReportReady(CordonCluster cluster) throws Exception {
        String token = Tokens.generate();
        String prefix = "ingest-ops-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        cluster.createTopics(prefix, 1);
        Map<String, Object> props = new HashMap<>(cluster.clientConfig());
        props.put(IngestConfig.TOPIC_PREFIX_CONFIG, prefix);
        props.put(IngestConfig.PORT_CONFIG, 0);
        props.put(IngestConfig.AUTH_TOKENS_CONFIG, Tokens.entry("alice", token));
        props.put(IngestConfig.APPROVAL_REQUIRED_CONFIG, false);
        props.put("ops.enabled", true);
        props.put("ops.port", 0);
        try (IngestService service = IngestService.start(new IngestConfig(props))) {
            URI ops = service.opsUri().orElseThrow();
            // Given one accepted and one refused directive
            String good = """
                    {"directiveId": "OPS-1", "action": "RESTRICT", "issuer": "i", "legalBasis": "l", "reason": "r",
                     "scope": {"resources": ["fable-5"]}}""";
            String bad = """
                    {"directiveId": "OPS-2", "action": "RESTRICT", "issuer": "i", "legalBasis": "l", "reason": "r",
                     "scope": {"resources": []}}""";
            assertThat(post(service.baseUri(), token, good).statusCode()).isEqualTo(202);
            assertThat(post(service.baseUri(), token, bad).statusCode()).isEqualTo(422);

            // When Prometheus scrapes
            HttpResponse<String> metrics = get(ops.resolve("/metrics"));

            // Then both outcomes are counted, with request latency by route, and the service is ready
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .containsPattern("cordon_ingest_directives_total\\{[^}]*outcome=\"accepted\"[^}]*status=\"202\"[^}]*} 1\\.0")
                    .containsPattern("cordon_ingest_directives_total\\{[^}]*outcome=\"refused\"[^}]*status=\"422\"[^}]*} 1\\.0")
                    .contains("cordon_ingest_http_requests_seconds_count");
            assertThat(get(ops.resolve("/health/ready")).statusCode()).isEqualTo(200);
            assertThat(get(ops.resolve("/health/live")).statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> post(URI base, String token, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/directives")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
