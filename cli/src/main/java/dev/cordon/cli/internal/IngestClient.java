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
 * A small client of the directive-ingest HTTP API, as an operator's tooling would call it: bearer token,
 * JSON in, JSON out, an {@code Idempotency-Key} on every POST (so a retry after a lost answer returns the
 * first answer and publishes nothing new). Routes: see ingest's {@code /v1/openapi.json}.
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

    /** @return the bearer token this client sends (e.g. to hand to {@code cordon directive --token-file}), or {@code null} */
    public String bearerToken() {
        return token;
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
        return issue(document, java.util.UUID.randomUUID().toString());
    }

    /** Posts a directive document with the given {@code Idempotency-Key} ({@code null}: none). */
    public Response issue(JsonNode document, String idempotencyKey) throws IOException {
        return post("/v1/directives", mapper.writeValueAsString(document), idempotencyKey);
    }

    /**
     * Approves a pending or break-glass revision ({@code POST /v1/directives/{id}/revisions/{rev}:approve}).
     *
     * @param comment optional approval comment, or {@code null}
     */
    public Response approve(String directiveId, int revision, String comment, String idempotencyKey) throws IOException {
        String body = comment == null ? "" : mapper.createObjectNode().put("comment", comment).toString();
        return post("/v1/directives/" + encode(directiveId) + "/revisions/" + revision + ":approve", body, idempotencyKey);
    }

    /** Previews a document ({@code POST /v1/directives:preview}): 200 with the impact report, or 202 RUNNING. */
    public Response preview(JsonNode document, String idempotencyKey) throws IOException {
        return post("/v1/directives:preview", mapper.writeValueAsString(document), idempotencyKey);
    }

    /** {@code GET /v1/previews/{requestId}}. */
    public Response previewReport(String requestId) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve("/v1/previews/" + encode(requestId))).GET());
    }

    /** {@code GET /v1/directives/{id}}: revisions, approvals, pending revisions, sessions revoked/denied. */
    public Response status(String directiveId) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve("/v1/directives/" + encode(directiveId))).GET());
    }

    /** {@code GET /v1/directives}. */
    public Response list() throws IOException {
        return send(HttpRequest.newBuilder(base.resolve("/v1/directives")).GET());
    }

    private Response post(String path, String body, String idempotencyKey) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return send(b);
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
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
        } catch (java.net.ConnectException e) {
            // the JDK's ConnectException carries no message: name the address and how to change it
            throw new IOException("cannot reach directive-ingest at " + base + " (is `cordon ingest` running? "
                    + "set --url or CORDON_INGEST_URL)", e);
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
