package dev.cordon.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A small client of the directive-ingest HTTP API ({@code POST /v1/directives}), as an operator's
 * tooling would call it: bearer token, JSON in, JSON out.
 */
public final class IngestClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;
    private final ObjectMapper mapper;

    /**
     * @param base   the ingest base URI, e.g. {@code http://127.0.0.1:8080}
     * @param token  bearer token, or {@code null} when authentication is disabled
     * @param mapper JSON mapper
     */
    public IngestClient(URI base, String token, ObjectMapper mapper) {
        this.base = base;
        this.token = token;
        this.mapper = mapper;
    }

    /**
     * The answer of the API.
     *
     * @param status HTTP status (202 accepted; 4xx refused)
     * @param body   the JSON body (an error object on refusal)
     */
    public record Response(int status, JsonNode body) {
        /** @return true for a 2xx status */
        public boolean accepted() {
            return status / 100 == 2;
        }
    }

    /**
     * Posts a directive document.
     *
     * @param document the directive document (DESIGN.md "Directive document")
     * @return status and body
     * @throws IOException when the API cannot be reached
     */
    public Response issue(JsonNode document) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve("/v1/directives"))
                .POST(HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(document), StandardCharsets.UTF_8)));
    }

    /**
     * @return true when {@code GET /health} answers 200
     */
    public boolean healthy() {
        try {
            return send(HttpRequest.newBuilder(base.resolve("/health")).GET()).status() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private Response send(HttpRequest.Builder builder) throws IOException {
        builder.timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode body = r.body() == null || r.body().isBlank() ? mapper.nullNode() : parse(r.body());
            return new Response(r.statusCode(), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + base, e);
        }
    }

    private JsonNode parse(String body) {
        try {
            return mapper.readTree(body);
        } catch (IOException e) {
            return mapper.getNodeFactory().textNode(body);
        }
    }
}
