package dev.cordon.schemas.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cordon.schemas.registry.CompatibilityLevel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process schema registry serving a <b>Confluent-API-compatible subset</b> of the
 * Schema Registry REST API, on the JDK HTTP server ({@code com.sun.net.httpserver}). It is not
 * Confluent Schema Registry: it is for tests and the zero-setup demo.
 *
 * <p>State: {@link #start(String, int)} and {@link #startWithBasicAuth} keep it in memory only, lost on
 * {@link #close()}. {@link #start(String, int, Path)} also keeps it in {@code <storageDir>/schemas.jsonl},
 * an append-only JSON Lines journal with one line per state change — a registration with its subject,
 * version, global id and schema text; a global or subject compatibility set or removed; a soft or
 * permanent subject delete — each written and {@code fsync}ed before the request is answered, and
 * replayed when a registry starts on the same directory, so ids, versions, subjects, deletions and
 * config come back identical (records already in Kafka keep resolving). A torn last line (a crash in
 * mid-append, never acknowledged) is dropped with a WARN; a registry holds a lock on
 * {@code <storageDir>/registry.lock} while running, so only one registry uses a directory at a time.
 *
 * <p>Served (Confluent API reference; requests and answers in
 * {@code application/vnd.schemaregistry.v1+json}, errors as {@code {"error_code": N, "message": "..."}}):
 * <ul>
 *   <li>{@code POST /subjects/{s}/versions} register: idempotent; an identical schema (same
 *       compact JSON) gets the same global id under any subject; 409 when incompatible, 42201 for
 *       an invalid schema, a {@code schemaType} other than AVRO or any {@code references};</li>
 *   <li>{@code POST /subjects/{s}} lookup (40401, 40403); {@code GET /subjects};
 *       {@code GET /subjects/{s}/versions}; {@code GET /subjects/{s}/versions/{v|latest}[/schema]} (40402, 42202);</li>
 *   <li>{@code GET /schemas/ids/{id}[/schema|/versions]} (40403); {@code GET /schemas/types};</li>
 *   <li>{@code POST /compatibility/subjects/{s}/versions[/{v|latest}][?verbose=true]};</li>
 *   <li>{@code GET|PUT /config}, {@code GET|PUT|DELETE /config/{s}[?defaultToGlobal=true]} (40408, 42203);</li>
 *   <li>{@code DELETE /subjects/{s}[?permanent=true]} soft then hard delete (40404, 40405);
 *       {@code GET /mode} (always READWRITE).</li>
 * </ul>
 * Compatibility levels NONE, BACKWARD (the default, as Confluent's), FORWARD, FULL and their
 * {@code _TRANSITIVE} variants are checked with Avro's {@code SchemaCompatibility}
 * (see {@link CompatibilityLevel}). Optional HTTP basic auth answers 401 / {@code error_code} 401.
 *
 * <p>Thread-safe; binds to the given host (use {@code 127.0.0.1}).
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final int REQUEST_LOG_CAPACITY = 1000;

    private final HttpServer server;
    private final ExecutorService executor;
    private final InMemorySchemaStore store;
    private final ObjectMapper json = new ObjectMapper();
    private final byte[] expectedCredentials;
    private final AtomicLong requests = new AtomicLong();
    private final ConcurrentLinkedDeque<String> requestLog = new ConcurrentLinkedDeque<>();
    private final String url;

    private EmbeddedSchemaRegistry(String host, int port, String user, String password, Path storageDir) {
        this.expectedCredentials = user == null ? null : (user + ":" + password).getBytes(StandardCharsets.UTF_8);
        this.store = storageDir == null ? new InMemorySchemaStore() : InMemorySchemaStore.persistent(storageDir);
        try {
            this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            store.close();
            throw new UncheckedIOException("cannot bind the embedded schema registry to " + host + ":" + port, e);
        }
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "embedded-schema-registry-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        this.url = "http://" + hostPart + ":" + server.getAddress().getPort();
        LOG.info("Embedded schema registry (Confluent-API-compatible subset) listening on {}, state {}", url,
                storageDir == null ? "in memory" : "journalled in " + storageDir.toAbsolutePath());
    }

    /**
     * Starts a registry bound to {@code host} on {@code port}, without authentication.
     *
     * @param host interface to bind, e.g. {@code 127.0.0.1}
     * @param port TCP port, 0 = ephemeral
     * @return the running registry
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static EmbeddedSchemaRegistry start(String host, int port) {
        return new EmbeddedSchemaRegistry(host, port, null, null, null);
    }

    /**
     * Starts a registry, without authentication, whose state survives restarts: it is replayed from
     * {@code <storageDir>/schemas.jsonl} (created with the directory when missing) and every change is
     * appended there and {@code fsync}ed before it is answered (see the class comment for the format).
     * A failed journal write answers HTTP 500 / {@code error_code} 50001 and leaves the state unchanged.
     *
     * @param host       interface to bind, e.g. {@code 127.0.0.1}
     * @param port       TCP port, 0 = ephemeral
     * @param storageDir directory of the journal; one running registry per directory
     * @return the running registry, holding the replayed state
     * @throws UncheckedIOException  when the address cannot be bound or the journal cannot be created or read
     * @throws IllegalStateException when a journal line other than the last is corrupt, or another registry
     *                               (in this or another process) uses {@code storageDir}
     */
    public static EmbeddedSchemaRegistry start(String host, int port, Path storageDir) {
        Objects.requireNonNull(storageDir, "storageDir");
        return new EmbeddedSchemaRegistry(host, port, null, null, storageDir);
    }

    /**
     * Starts a registry that requires HTTP basic auth with exactly these credentials on every
     * request; others get 401 {@code {"error_code":401,"message":"Unauthorized"}}.
     *
     * @param host     interface to bind
     * @param port     TCP port, 0 = ephemeral
     * @param user     user name, not containing ':'
     * @param password password
     */
    public static EmbeddedSchemaRegistry startWithBasicAuth(String host, int port, String user, String password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.contains(":")) {
            throw new IllegalArgumentException("user must not contain ':'");
        }
        return new EmbeddedSchemaRegistry(host, port, user, password, null);
    }

    /** @return base URL, e.g. {@code http://127.0.0.1:40123} (no trailing slash) */
    public String url() {
        return url;
    }

    /** @return the number of HTTP requests received since start, rejected ones included */
    public long requestCount() {
        return requests.get();
    }

    /** @return the last (up to 1000) requests as {@code "METHOD /path?query"}, oldest first */
    public List<String> requestLog() {
        return new ArrayList<>(requestLog);
    }

    /** Stops serving and, when persistent, closes the journal (releasing the directory). Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        // Under the store's monitor: a change being journalled finishes before the journal closes.
        store.close();
    }

    // ---- request handling ---------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            String method = exchange.getRequestMethod();
            String rawPath = exchange.getRequestURI().getRawPath();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            requestLog.addLast(method + " " + rawPath + (rawQuery == null ? "" : "?" + rawQuery));
            while (requestLog.size() > REQUEST_LOG_CAPACITY) {
                requestLog.pollFirst();
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Object answer;
            int status = 200;
            try {
                authenticate(exchange);
                answer = route(method, segments(rawPath), query(rawQuery), body);
            } catch (RegistryError e) {
                status = e.status;
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("error_code", e.errorCode);
                error.put("message", e.getMessage());
                answer = error;
                if (e.status == 401) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"cordon-embedded-schema-registry\"");
                }
            } catch (RuntimeException e) {
                LOG.warn("embedded schema registry failed on {} {}", method, rawPath, e);
                status = 500;
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("error_code", 50001);
                error.put("message", "Error in the backend data store: " + e);
                answer = error;
            }
            byte[] out = json.writeValueAsBytes(answer);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.sendResponseHeaders(status, out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
    }

    private void authenticate(HttpExchange exchange) {
        if (expectedCredentials == null) {
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                byte[] given = Base64.getDecoder().decode(header.substring(6).trim());
                if (MessageDigest.isEqual(given, expectedCredentials)) {
                    return;
                }
            } catch (IllegalArgumentException e) {
                // not base64: unauthorised below
            }
        }
        throw new RegistryError(401, 401, "Unauthorized");
    }

    private Object route(String method, List<String> p, Map<String, String> q, byte[] body) {
        int n = p.size();
        if (n == 0) {
            return Map.of();
        }
        switch (p.get(0)) {
            case "subjects" -> {
                if (n == 1) {
                    requireMethod(method, "GET");
                    return store.subjects();
                }
                String subject = p.get(1);
                if (n == 2) {
                    if (method.equals("POST")) {
                        var r = store.lookup(subject, parseSchemaRequest(body));
                        return registered(r);
                    }
                    requireMethod(method, "DELETE");
                    return store.delete(subject, Boolean.parseBoolean(q.get("permanent")));
                }
                if (!p.get(2).equals("versions")) {
                    break;
                }
                if (n == 3) {
                    if (method.equals("POST")) {
                        return Map.of("id", store.register(subject, parseSchemaRequest(body)));
                    }
                    requireMethod(method, "GET");
                    return store.versions(subject);
                }
                if (n <= 5) {
                    requireMethod(method, "GET");
                    var r = store.version(subject, parseVersion(p.get(3)));
                    if (n == 4) {
                        return registered(r);
                    }
                    if (p.get(4).equals("schema")) {
                        return rawSchema(r.schema());
                    }
                }
            }
            case "schemas" -> {
                if (n == 2 && p.get(1).equals("types")) {
                    requireMethod(method, "GET");
                    return List.of("AVRO");
                }
                if (n >= 3 && n <= 4 && p.get(1).equals("ids")) {
                    requireMethod(method, "GET");
                    int id = parseId(p.get(2));
                    Schema schema = store.schemaById(id)
                            .orElseThrow(() -> RegistryError.schemaNotFound("Schema " + id + " not found"));
                    if (n == 3) {
                        return Map.of("schema", schema.toString());
                    }
                    if (p.get(3).equals("schema")) {
                        return rawSchema(schema);
                    }
                    if (p.get(3).equals("versions")) {
                        List<Map<String, Object>> usages = new ArrayList<>();
                        store.usagesOf(id).forEach(r -> {
                            Map<String, Object> usage = new LinkedHashMap<>();
                            usage.put("subject", r.subject());
                            usage.put("version", r.version());
                            usages.add(usage);
                        });
                        return usages;
                    }
                }
            }
            case "compatibility" -> {
                if ((n == 4 || n == 5) && p.get(1).equals("subjects") && p.get(3).equals("versions")) {
                    requireMethod(method, "POST");
                    Integer version = n == 5 ? parseVersion(p.get(4)) : null;
                    List<String> problems = store.compatibility(p.get(2), parseSchemaRequest(body), version);
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("is_compatible", problems.isEmpty());
                    if (Boolean.parseBoolean(q.get("verbose"))) {
                        answer.put("messages", problems);
                    }
                    return answer;
                }
            }
            case "config" -> {
                if (n == 1) {
                    if (method.equals("PUT")) {
                        CompatibilityLevel level = parseLevel(body);
                        store.globalLevel(level);
                        return Map.of("compatibility", level.name());
                    }
                    requireMethod(method, "GET");
                    return Map.of("compatibilityLevel", store.globalLevel().name());
                }
                if (n == 2) {
                    String subject = p.get(1);
                    switch (method) {
                        case "PUT" -> {
                            CompatibilityLevel level = parseLevel(body);
                            store.subjectLevel(subject, level);
                            return Map.of("compatibility", level.name());
                        }
                        case "DELETE" -> {
                            return Map.of("compatibilityLevel", store.removeSubjectLevel(subject)
                                    .orElseThrow(() -> RegistryError.subjectNotFound(subject)).name());
                        }
                        default -> {
                            requireMethod(method, "GET");
                            var level = store.subjectLevel(subject);
                            if (level.isEmpty() && Boolean.parseBoolean(q.get("defaultToGlobal"))) {
                                level = java.util.Optional.of(store.globalLevel());
                            }
                            return Map.of("compatibilityLevel", level.orElseThrow(() -> new RegistryError(404, 40408,
                                    "Subject '" + subject + "' does not have subject-level compatibility configured")).name());
                        }
                    }
                }
            }
            case "mode" -> {
                if (n == 1) {
                    requireMethod(method, "GET");
                    return Map.of("mode", "READWRITE");
                }
            }
            default -> {
                // 404 below
            }
        }
        throw new RegistryError(404, 404, "HTTP 404 Not Found: this Confluent-API-compatible subset does not serve "
                + method + " /" + String.join("/", p));
    }

    private static Map<String, Object> registered(InMemorySchemaStore.Registered r) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("subject", r.subject());
        answer.put("version", r.version());
        answer.put("id", r.id());
        answer.put("schema", r.schema().toString());
        return answer;
    }

    private JsonNode rawSchema(Schema schema) {
        try {
            return json.readTree(schema.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireMethod(String actual, String expected) {
        if (!actual.equals(expected)) {
            throw new RegistryError(405, 405, "HTTP 405 Method Not Allowed: " + actual + " (expected " + expected + ")");
        }
    }

    private JsonNode parseBody(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) {
                throw new RegistryError(422, 422, "Unprocessable entity: the request body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new RegistryError(400, 400, "Malformed JSON request body: " + e.getMessage());
        }
    }

    private Schema parseSchemaRequest(byte[] body) {
        JsonNode request = parseBody(body);
        String type = request.path("schemaType").asText("AVRO");
        if (!type.equals("AVRO")) {
            throw RegistryError.invalidSchema("schemaType " + type + " is not supported by this embedded registry (AVRO only)");
        }
        JsonNode references = request.get("references");
        if (references != null && references.isArray() && !references.isEmpty()) {
            throw RegistryError.invalidSchema("schema references are not supported by this embedded registry");
        }
        JsonNode schema = request.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw RegistryError.invalidSchema("the request has no \"schema\" string");
        }
        try {
            return new Schema.Parser().parse(schema.asText());
        } catch (SchemaParseException | org.apache.avro.AvroTypeException e) {
            throw RegistryError.invalidSchema(e.getMessage());
        }
    }

    private CompatibilityLevel parseLevel(byte[] body) {
        JsonNode level = parseBody(body).get("compatibility");
        try {
            return CompatibilityLevel.parse(level == null ? null : level.asText());
        } catch (IllegalArgumentException e) {
            throw new RegistryError(422, 42203, e.getMessage());
        }
    }

    private static int parseVersion(String v) {
        if (v.equals("latest") || v.equals("-1")) {
            return -1;
        }
        try {
            int version = Integer.parseInt(v);
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new RegistryError(422, 42202, "The specified version '" + v
                + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }

    private static int parseId(String id) {
        try {
            return Integer.parseInt(id);
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound("Schema " + id + " not found");
        }
    }

    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> out = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "true" : pair.substring(eq + 1);
                out.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
