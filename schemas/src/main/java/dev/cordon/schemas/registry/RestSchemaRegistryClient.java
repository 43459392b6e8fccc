package dev.cordon.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.kafka.common.config.ConfigException;

/**
 * {@link SchemaRegistryClient} over the Confluent Schema Registry REST API, on the JDK
 * {@link HttpClient} and Jackson. Requests carry {@code application/vnd.schemaregistry.v1+json}.
 *
 * <p>Caches (unbounded; a deployment has few schemas): id → schema, and (subject, schema) → id,
 * filled by {@link #register}, {@link #getId} and {@link #getSchemaById}; a repeated call with the
 * same arguments makes no HTTP request. Other operations always ask the server.
 *
 * <p>Failover: with several URLs, a request that fails with an I/O error (refused connection,
 * timeout) is retried on the next URL; the URL that last answered is tried first next time. HTTP
 * error responses are not retried.
 *
 * <p>Authentication: HTTP basic, from {@code basic.auth.user.info} when
 * {@code basic.auth.credentials.source=USER_INFO}, or from each URL's user-info part when it is
 * {@code URL} (Confluent's default).
 *
 * <p>Thread-safe.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    /** Media type of requests and preferred responses (Confluent API reference, "Content types"). */
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT = CONTENT_TYPE + ", application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";

    private record Endpoint(String baseUrl, String authorization) {
    }

    private record SubjectSchema(String subject, Schema schema) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final List<Endpoint> endpoints;
    private final HttpClient http;
    private final Duration readTimeout;
    private final AtomicInteger preferred = new AtomicInteger();
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idBySubjectSchema = new ConcurrentHashMap<>();

    /**
     * @param config the client configuration; at least one URL
     * @throws ConfigException when no URL is configured or USER_INFO credentials are malformed
     */
    public RestSchemaRegistryClient(SchemaRegistryClientConfig config) {
        List<String> urls = config.urls();
        if (urls.isEmpty()) {
            throw new ConfigException(SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, "",
                    "at least one Schema Registry URL is required, e.g. http://127.0.0.1:8081");
        }
        String userInfoHeader = null;
        boolean fromUserInfo = config.credentialsSource().equals("USER_INFO");
        if (fromUserInfo) {
            String userInfo = config.userInfo();
            if (userInfo.isEmpty() || !userInfo.contains(":")) {
                throw new ConfigException(SchemaRegistryClientConfig.USER_INFO_CONFIG, "[hidden]",
                        "basic.auth.credentials.source=USER_INFO needs basic.auth.user.info as user:password");
            }
            userInfoHeader = basic(userInfo);
        }
        List<Endpoint> list = new ArrayList<>();
        for (String url : urls) {
            URI uri = URI.create(url);
            String auth = userInfoHeader;
            String base = url;
            if (uri.getRawUserInfo() != null) {
                base = url.replace(uri.getRawUserInfo() + "@", "");
                if (!fromUserInfo) {
                    auth = basic(URLDecoderPlus.decode(uri.getRawUserInfo()));
                }
            }
            list.add(new Endpoint(base, auth));
        }
        this.endpoints = List.copyOf(list);
        this.readTimeout = Duration.ofMillis(config.readTimeoutMs());
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(config.connectTimeoutMs()))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Builds a client from Confluent-named configs ({@code schema.registry.url}, ...).
     *
     * @see SchemaRegistryClientConfig
     */
    public static RestSchemaRegistryClient fromConfigs(Map<String, ?> configs) {
        return new RestSchemaRegistryClient(new SchemaRegistryClientConfig(configs));
    }

    /** A client of one or more URLs with default settings and no credentials. */
    public static RestSchemaRegistryClient forUrls(String... urls) {
        return fromConfigs(Map.of(SchemaRegistryClientConfig.SCHEMA_REGISTRY_URL_CONFIG, String.join(",", urls)));
    }

    @Override
    public List<String> baseUrls() {
        return endpoints.stream().map(Endpoint::baseUrl).toList();
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(Objects.requireNonNull(subject, "subject"), Objects.requireNonNull(schema, "schema"));
        Integer cached = idBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + enc(subject) + "/versions", schemaBody(schema));
        int id = requiredInt(answer, "id");
        idBySubjectSchema.put(key, id);
        schemaById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public int getId(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(Objects.requireNonNull(subject, "subject"), Objects.requireNonNull(schema, "schema"));
        Integer cached = idBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send("POST", "/subjects/" + enc(subject), schemaBody(schema));
        int id = requiredInt(answer, "id");
        idBySubjectSchema.put(key, id);
        schemaById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema getSchemaById(int id) {
        Schema cached = schemaById.get(id);
        if (cached != null) {
            return cached;
        }
        Schema schema = parseSchema(send("GET", "/schemas/ids/" + id, null), "schema id " + id);
        Schema previous = schemaById.putIfAbsent(id, schema);
        return previous != null ? previous : schema;
    }

    @Override
    public SchemaMetadata getLatestSchemaMetadata(String subject) {
        return metadata(send("GET", "/subjects/" + enc(subject) + "/versions/latest", null), subject);
    }

    @Override
    public SchemaMetadata getSchemaMetadata(String subject, int version) {
        return metadata(send("GET", "/subjects/" + enc(subject) + "/versions/" + version, null), subject);
    }

    @Override
    public List<Integer> getAllVersions(String subject) {
        return intList(send("GET", "/subjects/" + enc(subject) + "/versions", null));
    }

    @Override
    public List<String> getAllSubjects() {
        List<String> subjects = new ArrayList<>();
        send("GET", "/subjects", null).forEach(n -> subjects.add(n.asText()));
        return subjects;
    }

    @Override
    public boolean testCompatibility(String subject, Schema schema) {
        return compatibility(subject, schema, false).compatible();
    }

    @Override
    public CompatibilityResult testCompatibilityVerbose(String subject, Schema schema) {
        return compatibility(subject, schema, true);
    }

    private CompatibilityResult compatibility(String subject, Schema schema, boolean verbose) {
        JsonNode answer = send("POST", "/compatibility/subjects/" + enc(subject) + "/versions/latest"
                + (verbose ? "?verbose=true" : ""), schemaBody(schema));
        List<String> messages = new ArrayList<>();
        answer.path("messages").forEach(m -> messages.add(m.isTextual() ? m.asText() : m.toString()));
        return new CompatibilityResult(answer.path("is_compatible").asBoolean(false), messages);
    }

    @Override
    public CompatibilityLevel getGlobalCompatibility() {
        return level(send("GET", "/config", null));
    }

    @Override
    public CompatibilityLevel getCompatibility(String subject) {
        return level(send("GET", "/config/" + enc(subject) + "?defaultToGlobal=true", null));
    }

    @Override
    public CompatibilityLevel updateGlobalCompatibility(CompatibilityLevel level) {
        return level(send("PUT", "/config", levelBody(level)));
    }

    @Override
    public CompatibilityLevel updateCompatibility(String subject, CompatibilityLevel level) {
        return level(send("PUT", "/config/" + enc(subject), levelBody(level)));
    }

    @Override
    public List<Integer> deleteSubject(String subject, boolean permanent) {
        List<Integer> versions = intList(send("DELETE", "/subjects/" + enc(subject)
                + (permanent ? "?permanent=true" : ""), null));
        idBySubjectSchema.keySet().removeIf(k -> k.subject().equals(subject));
        return versions;
    }

    // ---- HTTP -------------------------------------------------------------------------------

    private JsonNode send(String method, String pathAndQuery, JsonNode body) {
        int start = preferred.get();
        IOException lastFailure = null;
        for (int attempt = 0; attempt < endpoints.size(); attempt++) {
            int index = (start + attempt) % endpoints.size();
            Endpoint endpoint = endpoints.get(index);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + pathAndQuery))
                    .timeout(readTimeout)
                    .header("Accept", ACCEPT);
            if (endpoint.authorization() != null) {
                request.header("Authorization", endpoint.authorization());
            }
            if (body != null) {
                request.header("Content-Type", CONTENT_TYPE)
                        .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                lastFailure = e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted during " + method + " " + pathAndQuery,
                        SchemaRegistryException.UNREACHABLE, SchemaRegistryException.UNREACHABLE, endpoint.baseUrl(), e);
            }
            preferred.set(index);
            return interpret(endpoint.baseUrl(), method, pathAndQuery, response);
        }
        throw new SchemaRegistryException("Schema Registry unreachable at " + baseUrls() + " for " + method + " "
                + pathAndQuery + ": " + lastFailure, SchemaRegistryException.UNREACHABLE,
                SchemaRegistryException.UNREACHABLE, String.join(",", baseUrls()), lastFailure);
    }

    private JsonNode interpret(String baseUrl, String method, String path, HttpResponse<String> response) {
        int status = response.statusCode();
        JsonNode node;
        try {
            node = response.body() == null || response.body().isBlank() ? null : json.readTree(response.body());
        } catch (IOException e) {
            node = null;
        }
        if (status >= 200 && status < 300) {
            if (node == null) {
                throw new SchemaRegistryException("Schema Registry at " + baseUrl + " answered " + method + " " + path
                        + " with HTTP " + status + " and no JSON body", status, status, baseUrl, null);
            }
            return node;
        }
        int errorCode = node != null && node.path("error_code").isInt() ? node.get("error_code").asInt() : status;
        String message = node != null && node.path("message").isTextual() ? node.get("message").asText()
                : abbreviate(response.body());
        throw new SchemaRegistryException(message + " (HTTP " + status + ", error_code " + errorCode + ", "
                + method + " " + baseUrl + path + ")", status, errorCode, baseUrl, null);
    }

    // ---- JSON helpers -----------------------------------------------------------------------

    private ObjectNode schemaBody(Schema schema) {
        ObjectNode body = json.createObjectNode();
        body.put("schema", schema.toString());
        return body;
    }

    private ObjectNode levelBody(CompatibilityLevel level) {
        ObjectNode body = json.createObjectNode();
        body.put("compatibility", Objects.requireNonNull(level, "level").name());
        return body;
    }

    private static CompatibilityLevel level(JsonNode answer) {
        JsonNode level = answer.has("compatibilityLevel") ? answer.get("compatibilityLevel") : answer.get("compatibility");
        if (level == null || !level.isTextual()) {
            throw new SchemaRegistryException("config answer without compatibilityLevel: " + answer, 200, 200, null, null);
        }
        return CompatibilityLevel.parse(level.asText());
    }

    private SchemaMetadata metadata(JsonNode answer, String subject) {
        int id = requiredInt(answer, "id");
        Schema schema = parseSchema(answer, "schema id " + id);
        schemaById.putIfAbsent(id, schema);
        return new SchemaMetadata(answer.path("subject").asText(subject), requiredInt(answer, "version"), id, schema);
    }

    private static Schema parseSchema(JsonNode answer, String what) {
        String type = answer.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw new SchemaRegistryException(what + " is of type " + type + "; Cordon reads only AVRO schemas",
                    200, 200, null, null);
        }
        JsonNode schema = answer.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new SchemaRegistryException(what + ": answer has no \"schema\" string: " + abbreviate(answer.toString()),
                    200, 200, null, null);
        }
        try {
            return new Schema.Parser().parse(schema.asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(what + ": the registry returned a schema Avro cannot parse: "
                    + e.getMessage(), 200, 200, null, e);
        }
    }

    private static int requiredInt(JsonNode answer, String field) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new SchemaRegistryException("answer without integer \"" + field + "\": " + abbreviate(answer.toString()),
                    200, 200, null, null);
        }
        return value.asInt();
    }

    private static List<Integer> intList(JsonNode answer) {
        List<Integer> values = new ArrayList<>();
        answer.forEach(n -> values.add(n.asInt()));
        return values;
    }

    private static String enc(String pathSegment) {
        return URLEncoder.encode(Objects.requireNonNull(pathSegment, "subject"), StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String basic(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 300 ? s : s.substring(0, 300) + "…";
    }

    /** Percent-decoding of a URL's user-info that leaves '+' alone (it is not a space there). */
    private static final class URLDecoderPlus {
        static String decode(String raw) {
            return java.net.URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
    }
}
