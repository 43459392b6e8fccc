package dev.cordon.schemas.registry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The embedded registry at the HTTP level: paths, bodies, content type and error shapes. */
@Tag("integration")
class EmbeddedSchemaRegistryTest {
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Thing\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    private static final String V2 = "{\"type\":\"record\",\"name\":\"Thing\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"},"
            + "{\"name\":\"n\",\"type\":\"int\",\"default\":0}]}";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private EmbeddedSchemaRegistry registry;

    private record Answer(int status, String contentType, JsonNode body) {
    }

    @BeforeEach
    void start() {
        registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private Answer call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), JSON.readTree(r.body()));
    }

    private static String schemaBody(String schema) throws Exception {
        return JSON.writeValueAsString(java.util.Map.of("schema", schema));
    }

    @Test
    void shouldServeTheRegisterLookupAndFetchPathsInTheConfluentMediaType() throws Exception {
        Answer registered = call("POST", "/subjects/things-value/versions", schemaBody(V1));
        Answer lookedUp = call("POST", "/subjects/things-value", schemaBody(V1));
        Answer byId = call("GET", "/schemas/ids/1", null);
        Answer usages = call("GET", "/schemas/ids/1/versions", null);
        Answer raw = call("GET", "/subjects/things-value/versions/latest/schema", null);

        assertThat(registered.status()).isEqualTo(200);
        assertThat(registered.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        assertThat(registered.body().toString()).isEqualTo("{\"id\":1}");
        assertThat(lookedUp.body().toString()).isEqualTo("{\"subject\":\"things-value\",\"version\":1,\"id\":1,\"schema\":"
                + JSON.writeValueAsString(V1) + "}");
        assertThat(byId.body().toString()).isEqualTo("{\"schema\":" + JSON.writeValueAsString(V1) + "}");
        assertThat(usages.body().toString()).isEqualTo("[{\"subject\":\"things-value\",\"version\":1}]");
        assertThat(raw.body()).isEqualTo(JSON.readTree(V1));
        assertThat(registry.requestLog()).containsExactly("POST /subjects/things-value/versions",
                "POST /subjects/things-value", "GET /schemas/ids/1", "GET /schemas/ids/1/versions",
                "GET /subjects/things-value/versions/latest/schema");
    }

    @Test
    void shouldTreatTheSameSchemaWrittenDifferentlyAsTheSameSchema() throws Exception {
        call("POST", "/subjects/a/versions", schemaBody(V1));
        Answer spaced = call("POST", "/subjects/b/versions", schemaBody(V1.replace(",", " ,\n ")));

        assertThat(spaced.body().get("id").asInt()).isEqualTo(1);
    }

    @Test
    void shouldAnswerErrorsAsConfluentDoes() throws Exception {
        call("POST", "/subjects/things-value/versions", schemaBody(V1));

        assertError(call("POST", "/subjects/x/versions", schemaBody("{\"type\":\"record\",\"name\":\"X\"}")), 422, 42201);
        assertError(call("POST", "/subjects/x/versions", "{\"schema\":\"\\\"string\\\"\",\"schemaType\":\"PROTOBUF\"}"), 422, 42201);
        assertError(call("POST", "/subjects/x/versions",
                "{\"schema\":\"\\\"string\\\"\",\"references\":[{\"name\":\"a\",\"subject\":\"b\",\"version\":1}]}"), 422, 42201);
        assertError(call("GET", "/subjects/things-value/versions/zero", null), 422, 42202);
        assertError(call("GET", "/subjects/things-value/versions/0", null), 422, 42202);
        assertError(call("PUT", "/config", "{\"compatibility\":\"SIDEWAYS\"}"), 422, 42203);
        assertError(call("GET", "/config/things-value", null), 404, 40408);
        assertError(call("GET", "/schemas/ids/77", null), 404, 40403);
        assertError(call("GET", "/nothing/here", null), 404, 404);
        assertError(call("PATCH", "/subjects", null), 405, 405);
        assertThat(call("GET", "/schemas/ids/77", null).body().get("message").asText()).isEqualTo("Schema 77 not found");
    }

    @Test
    void shouldTestCompatibilityAgainstAGivenVersionOrAllOfThemVerbosely() throws Exception {
        call("POST", "/subjects/things-value/versions", schemaBody(V1));
        call("POST", "/subjects/things-value/versions", schemaBody(V2));
        String required = V1.replace("]}", ",{\"name\":\"must\",\"type\":\"long\"}]}");

        Answer latest = call("POST", "/compatibility/subjects/things-value/versions/latest", schemaBody(V2));
        Answer verbose = call("POST", "/compatibility/subjects/things-value/versions/1?verbose=true", schemaBody(required));
        Answer all = call("POST", "/compatibility/subjects/things-value/versions?verbose=true", schemaBody(required));

        assertThat(latest.body().toString()).isEqualTo("{\"is_compatible\":true}");
        assertThat(verbose.body().get("is_compatible").asBoolean()).isFalse();
        assertThat(verbose.body().get("messages")).hasSize(1);
        assertThat(all.body().get("messages")).hasSize(1);
        assertError(call("POST", "/compatibility/subjects/things-value/versions/9", schemaBody(V2)), 404, 40402);
    }

    @Test
    void shouldAnswerConfigGloballyAndPerSubject() throws Exception {
        assertThat(call("GET", "/config", null).body().toString()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
        assertThat(call("PUT", "/config/s", "{\"compatibility\":\"full_transitive\"}").body().toString())
                .isEqualTo("{\"compatibility\":\"FULL_TRANSITIVE\"}");
        assertThat(call("GET", "/config/s", null).body().toString()).isEqualTo("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}");
        assertThat(call("GET", "/config/other?defaultToGlobal=true", null).body().toString())
                .isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
        assertThat(call("DELETE", "/config/s", null).body().toString()).isEqualTo("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}");
        assertError(call("GET", "/config/s", null), 404, 40408);
    }

    @Test
    void shouldRequireBasicAuthWhenStartedWithCredentials() throws Exception {
        try (EmbeddedSchemaRegistry secured = EmbeddedSchemaRegistry.startWithBasicAuth("127.0.0.1", 0, "u", "p")) {
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(secured.url() + "/subjects")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> authorised = http.send(HttpRequest.newBuilder(URI.create(secured.url() + "/subjects"))
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("u:p".getBytes()))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.body()).isEqualTo("{\"error_code\":401,\"message\":\"Unauthorized\"}");
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            assertThat(authorised.statusCode()).isEqualTo(200);
            assertThat(authorised.body()).isEqualTo("[]");
            assertThat(secured.requestCount()).isEqualTo(2);
        }
    }

    private static void assertError(Answer answer, int status, int errorCode) {
        assertThat(answer.status()).as("status of %s", answer.body()).isEqualTo(status);
        assertThat(answer.body().get("error_code").asInt()).as("error_code of %s", answer.body()).isEqualTo(errorCode);
        assertThat(answer.body().get("message").isTextual()).isTrue();
    }
}
