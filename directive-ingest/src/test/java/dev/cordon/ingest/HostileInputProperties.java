package dev.cordon.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.embedded.EmbeddedStack;
import dev.cordon.schemas.TopicCatalogue;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Issue 6 point 9: malformed and hostile JSON thrown at the real HTTP API on the embedded stack — huge strings,
 * deep nesting, wrong types, unicode tricks, unknown fields, broken syntax. Each generated body is invalid by
 * construction; the API must always answer 4xx with a JSON error naming the problem, never 5xx, and never
 * publish anything on directive-changes.
 */
@Tag("integration")
class HostileInputProperties {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String ISSUER = Tokens.generate();
    private static final String APPROVER = Tokens.generate();
    private static EmbeddedStack stack;
    private static IngestService service;
    private static KafkaConsumer<byte[], byte[]> offsets;
    private static TopicPartition changes;

    @BeforeContainer
    static void start() {
        stack = EmbeddedStack.start(EmbeddedStack.Options.builder().withPostgres(false).sessionPartitions(1).build());
        TopicCatalogue topics = TopicCatalogue.create(stack.topicPrefix(), Map.of("schema.registry.url", stack.schemaRegistryUrl()));
        Map<String, Object> props = new HashMap<>();
        props.put(IngestConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(IngestConfig.SCHEMA_REGISTRY_URL_CONFIG, stack.schemaRegistryUrl());
        props.put(IngestConfig.TOPIC_PREFIX_CONFIG, stack.topicPrefix());
        props.put(IngestConfig.PORT_CONFIG, 0);
        props.put(IngestConfig.AUTH_TOKENS_CONFIG, Tokens.entry("fuzz-issuer", EnumSet.of(Role.ISSUER), ISSUER) + ","
                + Tokens.entry("fuzz-approver", EnumSet.of(Role.APPROVER), APPROVER));
        props.put(IngestConfig.PREVIEW_TIMEOUT_MS_CONFIG, 0L);
        service = IngestService.start(new IngestConfig(props));
        offsets = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        changes = new TopicPartition(topics.directiveChanges().name(), 0);
    }

    @AfterContainer
    static void stop() {
        if (offsets != null) {
            offsets.close();
        }
        if (service != null) {
            service.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static long end() {
        return offsets.endOffsets(List.of(changes), Duration.ofSeconds(10)).get(changes);
    }

    @Property(tries = 100)
    void hostileDirectiveDocumentsGetAClear4xxAndPublishNothing(@ForAll("hostileBodies") String body) throws Exception {
        assertRefused("/v1/directives", ISSUER, body);
    }

    @Property(tries = 30)
    void hostilePreviewsGetAClear4xxAndPublishNothing(@ForAll("hostileBodies") String body) throws Exception {
        // a preview is always a DRY_RUN and ignores a boolean breakGlass: that body is valid there
        net.jqwik.api.Assume.that(!body.contains("\"breakGlass\":true"));
        assertRefused("/v1/directives:preview", ISSUER, body);
    }

    @Property(tries = 30)
    void hostileApprovalsGetAClear4xx(@ForAll("approvalPaths") String path, @ForAll("hostileBodies") String body) throws Exception {
        assertRefused(path, APPROVER, body);
    }

    private static void assertRefused(String path, String token, String body) throws Exception {
        long changesEnd = end();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(service.baseUri().resolve(path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s <- %s", r.body(), abbreviate(body)).isBetween(400, 499);
        JsonNode error = JSON.readTree(r.body());
        assertThat(error.path("error").asText()).as(r.body()).isNotBlank();
        assertThat(error.path("status").asInt()).isEqualTo(r.statusCode());
        assertThat(end()).as("nothing published on directive-changes").isEqualTo(changesEnd);
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "... (" + s.length() + " chars)";
    }

    @Provide
    Arbitrary<String> approvalPaths() {
        return Arbitraries.oneOf(
                Arbitraries.of("/v1/directives/X-1/revisions/1:approve", "/v1/directives/X-1/revisions/-1:approve",
                        "/v1/directives/X-1/revisions/99999999999999999999:approve", "/v1/directives/X-1/revisions/abc:approve"),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(40)
                        .map(s -> "/v1/directives/" + s + "/revisions/1:approve"));
    }

    @Provide
    Arbitrary<String> hostileBodies() {
        return Arbitraries.oneOf(
                brokenSyntax(),
                deepNesting(),
                validDocumentWithOnePoison(),
                notAnObject());
    }

    private static ObjectNode valid() {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("directiveId", "FUZZ-1").put("revision", 1).put("action", "RESTRICT").put("issuer", "us-bis")
                .put("legalBasis", "15 CFR 744.23").put("reason", "fuzz");
        ObjectNode scope = d.putObject("scope");
        scope.putArray("resources").add("fable-5");
        ObjectNode condition = scope.putArray("subjects").addObject().putArray("all").addObject();
        condition.put("attribute", "nationality").put("op", "NOT_IN").putArray("values").add("US");
        return d;
    }

    private Arbitrary<String> brokenSyntax() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(200).filter(s -> !s.trim().startsWith("{") || !s.trim().endsWith("}")),
                Arbitraries.of("", " ", "{", "}", "{\"directiveId\": }", "{'directiveId': 'x'}", "{\"a\":1,}",
                        "{\"directiveId\":\"X\",\"directiveId\":\"Y\"}", valid() + " trailing", valid() + valid().toString(),
                        "{\"revision\": 1e999999}", "{\"revision\": " + "9".repeat(2000) + "}", "\uFEFF" + valid(),
                        "{\"reason\": \"\\ud800\"", "null"));
    }

    private Arbitrary<String> deepNesting() {
        return Combinators.combine(Arbitraries.integers().between(200, 5_000), Arbitraries.of("[", "{\"a\":"),
                        Arbitraries.of("directiveId", "scope", "top"))
                .as((depth, open, where) -> {
                    String close = open.equals("[") ? "]" : "}";
                    String nested = open.repeat(depth) + "1" + close.repeat(depth);
                    if (where.equals("top")) {
                        return nested;
                    }
                    ObjectNode d = valid();
                    d.remove(where);
                    String text = d.toString();
                    return text.substring(0, text.length() - 1) + ",\"" + where + "\":" + nested + "}";
                });
    }

    private Arbitrary<String> notAnObject() {
        return Arbitraries.of("1", "\"directive\"", "true", "[]", "[" + valid() + "]", "-0", "1.5e308");
    }

    /** A valid document with exactly one field replaced by a value that is invalid for it. */
    private Arbitrary<String> validDocumentWithOnePoison() {
        Arbitrary<String> huge = Arbitraries.integers().between(4_097, 200_000).map("x"::repeat);
        Arbitrary<String> unicodeIds = Arbitraries.of("FUZZ\u202E1", "FUZZ\u200B1", "\u0410BC", "FUZZ 1", "../../etc",
                "FUZZ\u00001", "FUZZ\uD83D\uDE001", "ＦＵＺＺ", "FUZZ/1", "-FUZZ", "");
        Arbitrary<String> badCountries = Arbitraries.of("UK", "D\u0415", "ZZ", "\u200BUS", "", "USA", "EU", "XK");
        Arbitrary<JsonNode> wrongTypes = Arbitraries.of(
                JsonNodeFactory.instance.numberNode(1), JsonNodeFactory.instance.booleanNode(true),
                JsonNodeFactory.instance.arrayNode().add("x"), JsonNodeFactory.instance.objectNode().put("x", 1),
                JsonNodeFactory.instance.numberNode(1.5));
        Arbitrary<ObjectNode> poisoned = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.of("directiveId", "issuer", "legalBasis", "reason", "action", "mode",
                        "enforcement", "effectiveFrom", "effectiveUntil"), wrongTypes).as((f, v) -> {
                    ObjectNode d = valid();
                    d.set(f, v);
                    return d;
                }),
                Combinators.combine(Arbitraries.of("directiveId", "issuer", "legalBasis", "reason", "action", "effectiveFrom"), huge)
                        .as((f, v) -> valid().put(f, v)),
                unicodeIds.map(v -> valid().put("directiveId", v)),
                Arbitraries.of("restrict", "RESTRICT\u0000", "LIFT ", "\u0280ESTRICT", "DELETE").map(v -> valid().put("action", v)),
                Arbitraries.of(JsonNodeFactory.instance.textNode("1"), JsonNodeFactory.instance.numberNode(0),
                        JsonNodeFactory.instance.numberNode(-5), JsonNodeFactory.instance.numberNode(3_000_000_000L),
                        JsonNodeFactory.instance.numberNode(1.0001)).map(v -> {
                            ObjectNode d = valid();
                            d.set("revision", v);
                            return d;
                        }),
                badCountries.map(c -> {
                    ObjectNode d = valid();
                    ((ObjectNode) d.get("scope").get("subjects").get(0).get("all").get(0)).putArray("values").add(c);
                    return d;
                }),
                Arbitraries.strings().all().ofMinLength(1).ofMaxLength(300)
                        .filter(n -> !List.of("directiveId", "revision", "action", "issuer", "legalBasis", "reason", "mode",
                                "enforcement", "effectiveFrom", "effectiveUntil", "scope", "breakGlass").contains(n))
                        .map(name -> valid().put(name, "unknown")),
                Arbitraries.of("__proto__", "constructor", "scope.resources", "$where").map(name -> {
                    ObjectNode d = valid();
                    ((ObjectNode) d.get("scope")).put(name, 1);
                    return d;
                }),
                Arbitraries.of("2026-13-01T00:00:00Z", "yesterday", "2026-11-26", "+3000ms", "9999999-01-01T00:00:00Z")
                        .map(t -> valid().put("effectiveFrom", t)),
                Arbitraries.of(JsonNodeFactory.instance.arrayNode(), JsonNodeFactory.instance.arrayNode().add(""),
                        JsonNodeFactory.instance.arrayNode().add(1)).map(v -> {
                            ObjectNode d = valid();
                            ((ObjectNode) d.get("scope")).set("resources", v);
                            return d;
                        }),
                Arbitraries.just(valid().put("breakGlass", "yes")),
                Arbitraries.just(valid().put("mode", "DRY_RUN").put("breakGlass", true)));
        return poisoned.map(JsonNode::toString);
    }
}
