package dev.cordon.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.ingest.internal.HttpApi;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.schemas.signing.DirectiveSignatures;
import dev.cordon.schemas.signing.SigningKey;
import dev.cordon.schemas.signing.TrustedKeys;
import dev.cordon.testkit.CordonCluster;
import dev.cordon.testkit.WithCordonCluster;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6 on the test cluster of {@link WithCordonCluster} (Testcontainers or the embedded stack), under a topic
 * prefix of this class: roles, four-eyes, break-glass, signatures, idempotency and the OpenAPI document, through
 * ingest's HTTP API with four-eyes on (the default).
 */
@WithCordonCluster
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OperatorWorkflowIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final String ALICE = Tokens.generate();   // issuer
    private static final String BOB = Tokens.generate();     // approver
    private static final String VERA = Tokens.generate();    // viewer
    private static final String OMAR = Tokens.generate();    // issuer + approver
    private static final SigningKey KEY = SigningKey.generate();
    /** Topics of this class only: the audit checks read every record on them. */
    private static final String PREFIX = "ingest-ow-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private static CordonCluster cluster;
    private static TopicCatalogue topics;
    private static IngestService service;

    @BeforeAll
    static void start(CordonCluster testCluster) {
        cluster = testCluster;
        cluster.createTopics(PREFIX, 1);
        topics = TopicCatalogue.create(PREFIX, Map.of("schema.registry.url", cluster.schemaRegistryUrl()));
        service = IngestService.start(config());
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    static IngestConfig config() {
        Map<String, Object> props = new HashMap<>();
        props.put(IngestConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(IngestConfig.SCHEMA_REGISTRY_URL_CONFIG, cluster.schemaRegistryUrl());
        props.put(IngestConfig.TOPIC_PREFIX_CONFIG, PREFIX);
        props.put(IngestConfig.PORT_CONFIG, 0);
        props.put(IngestConfig.AUTH_TOKENS_CONFIG, String.join(",",
                Tokens.entry("alice", EnumSet.of(Role.ISSUER), ALICE),
                Tokens.entry("bob", EnumSet.of(Role.APPROVER), BOB),
                Tokens.entry("vera", EnumSet.of(Role.VIEWER), VERA),
                Tokens.entry("omar", EnumSet.of(Role.ISSUER, Role.APPROVER), OMAR)));
        props.put(IngestConfig.SIGNING_PRIVATE_KEY_CONFIG, KEY.privateKeyBase64());
        props.put(IngestConfig.BREAK_GLASS_WINDOW_MS_CONFIG, 600_000L);
        props.put(IngestConfig.PREVIEW_TIMEOUT_MS_CONFIG, 200L);
        return new IngestConfig(props);
    }

    private static String newId() {
        return "OW-" + IDS.incrementAndGet();
    }

    static String restrict(String id, int revision, String extra) {
        return """
                {"directiveId": "%s", "revision": %d, "action": "RESTRICT", "issuer": "us-bis",
                 "legalBasis": "15 CFR 744.23", "reason": "workflow test"%s,
                 "scope": {"resources": ["fable-5"]}}
                """.formatted(id, revision, extra);
    }

    static HttpResponse<String> call(String method, String path, String token, String body, String idempotencyKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(service.baseUri().resolve(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed", e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> raw(String topic) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    static List<DirectiveChange> changesOf(String id) {
        return raw(topics.directiveChanges().name()).stream()
                .map(r -> topics.directiveChanges().valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value()))
                .filter(c -> c.getDirectiveId().equals(id)).toList();
    }

    static List<AuditEvent> audit() {
        return raw(topics.auditLog().name()).stream()
                .map(r -> topics.auditLog().valueSerde().deserializer().deserialize(r.topic(), r.headers(), r.value())).toList();
    }

    @Test
    void shouldRefuseWithoutTokenOrRoleAndAuditThePrincipalButNeverTheToken() {
        // Given
        String id = newId();
        // When: no token, a viewer issuing, an issuer approving
        HttpResponse<String> anonymous = call("POST", "/v1/directives", null, restrict(id, 1, ""), null);
        HttpResponse<String> viewer = call("POST", "/v1/directives", VERA, restrict(id, 1, ""), null);
        HttpResponse<String> issuerApproving = call("POST", "/v1/directives/" + id + "/revisions/1:approve", ALICE, null, null);
        HttpResponse<String> viewerReading = call("GET", "/v1/directives", VERA, null, null);
        // Then 401, 403, 403; reading is allowed to every role
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(viewer.statusCode()).as(viewer.body()).isEqualTo(403);
        assertThat(json(viewer).get("error").asText()).contains("vera").contains("`issuer`");
        assertThat(issuerApproving.statusCode()).isEqualTo(403);
        assertThat(viewerReading.statusCode()).isEqualTo(200);
        // and each refusal is audited with the principal, never a token, nothing published
        await("refusals audited").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<AuditEvent> refusals = audit().stream().filter(e -> e.getType() == AuditEventType.DIRECTIVE_REFUSED
                    && id.equals(e.getDirectiveId())).toList();
            assertThat(refusals).extracting(e -> e.getDetails().get("principal"))
                    .contains("vera", "alice");
            assertThat(refusals).extracting(e -> e.getDetails().get("status")).contains("403");
            assertThat(refusals).allSatisfy(e -> {
                assertThat(e.getSourcePartition()).isEqualTo(-2);
                assertThat(e.getDetails().toString()).doesNotContain(VERA).doesNotContain(ALICE);
            });
        });
        assertThat(audit().stream().filter(e -> e.getType() == AuditEventType.DIRECTIVE_REFUSED)
                .anyMatch(e -> "(unauthenticated)".equals(e.getDetails().get("principal")) && "401".equals(e.getDetails().get("status"))))
                .isTrue();
        assertThat(changesOf(id)).isEmpty();
    }

    @Test
    void shouldHoldAnEnforceRevisionPendingUntilADifferentApproverApprovesIt() {
        // Given alice submits revision 1
        String id = newId();
        HttpResponse<String> submitted = call("POST", "/v1/directives", ALICE, restrict(id, 1, ""), null);
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        assertThat(json(submitted).get("status").asText()).isEqualTo("PENDING_APPROVAL");
        String approve = json(submitted).get("approve").asText();
        assertThat(approve).isEqualTo("/v1/directives/" + id + "/revisions/1:approve");
        // Then it is not published, and status shows it pending
        assertThat(changesOf(id)).isEmpty();
        JsonNode status = json(call("GET", "/v1/directives/" + id, VERA, null, null));
        assertThat(status.get("status").asText()).isEqualTo("PENDING_APPROVAL");
        assertThat(status.get("pending").get(0).get("submittedBy").asText()).isEqualTo("alice");
        // and a second submission of the same revision is 409
        assertThat(call("POST", "/v1/directives", OMAR, restrict(id, 1, ""), null).statusCode()).isEqualTo(409);
        // When omar (issuer+approver) submits revision 2 and tries to approve his own
        assertThat(call("POST", "/v1/directives", OMAR, restrict(id, 2, ""), null).statusCode()).isEqualTo(202);
        HttpResponse<String> self = call("POST", "/v1/directives/" + id + "/revisions/2:approve", OMAR, null, null);
        // Then four-eyes refuses it
        assertThat(self.statusCode()).isEqualTo(403);
        assertThat(json(self).get("error").asText()).contains("four-eyes");
        // When bob approves alice's revision 1
        HttpResponse<String> approved = call("POST", approve, BOB, "{\"comment\": \"checked with legal\"}", null);
        // Then it is published, signed, principal = submitter, and the audit names both
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        assertThat(json(approved).get("status").asText()).isEqualTo("APPROVED");
        assertThat(json(approved).get("approvedBy").asText()).isEqualTo("bob");
        await("published").atMost(Duration.ofSeconds(20)).until(() -> changesOf(id).size() == 1);
        assertThat(changesOf(id).get(0).getPrincipal()).isEqualTo("alice");
        AuditEvent accepted = audit().stream().filter(e -> e.getType() == AuditEventType.DIRECTIVE_ACCEPTED
                && id.equals(e.getDirectiveId())).findFirst().orElseThrow();
        assertThat(accepted.getDetails()).containsEntry("approval", "four-eyes").containsEntry("submittedBy", "alice")
                .containsEntry("approvedBy", "bob").containsEntry("approvalComment", "checked with legal");
        // and approving it again is 409; omar's revision 2 is still pending and bob may approve it
        assertThat(call("POST", approve, BOB, null, null).statusCode()).isEqualTo(409);
        assertThat(call("POST", "/v1/directives/" + id + "/revisions/2:approve", BOB, null, null).statusCode()).isEqualTo(200);
        JsonNode after = json(call("GET", "/v1/directives/" + id, VERA, null, null));
        assertThat(after.get("document").get("revision").asInt()).isEqualTo(2);
        assertThat(after.get("revisions").findValuesAsText("approvedBy")).containsExactly("bob", "bob");
        // and a LIFT needs no approval
        HttpResponse<String> lift = call("POST", "/v1/directives", ALICE,
                "{\"directiveId\": \"" + id + "\", \"revision\": 3, \"action\": \"LIFT\", \"issuer\": \"us-bis\", \"reason\": \"over\"}", null);
        assertThat(json(lift).get("status").asText()).isEqualTo("ACCEPTED");
    }

    @Test
    void shouldPublishABreakGlassRevisionAtOnceBoundedAndReplaceItOnApproval() {
        // Given
        String id = newId();
        Instant before = Instant.now().minusMillis(1);
        // When alice issues a break-glass revision
        HttpResponse<String> r = call("POST", "/v1/directives", ALICE, restrict(id, 4, ", \"breakGlass\": true"), null);
        // Then it is published at once with effectiveUntil = now + window and a visible legal basis
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(json(r).get("breakGlass").asBoolean()).isTrue();
        await("published").atMost(Duration.ofSeconds(20)).until(() -> changesOf(id).size() == 1);
        DirectiveChange bg = changesOf(id).get(0);
        assertThat(bg.getEffectiveUntil()).isBetween(before.plusSeconds(600), Instant.now().plusSeconds(600));
        assertThat(bg.getLegalBasis()).startsWith("15 CFR 744.23 [BREAK-GLASS by alice, unapproved, lapses ");
        // When bob approves it within the window
        HttpResponse<String> approved = call("POST", "/v1/directives/" + id + "/revisions/4:approve", BOB, null, null);
        // Then revision 5 is published without the bound, from the same start, with the plain legal basis
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        assertThat(json(approved).get("revision").asInt()).isEqualTo(5);
        await("revision 5").atMost(Duration.ofSeconds(20)).until(() -> changesOf(id).size() == 2);
        DirectiveChange five = changesOf(id).get(1);
        assertThat(five.getRevision()).isEqualTo(5);
        assertThat(five.getEffectiveUntil()).isNull();
        assertThat(five.getEffectiveFrom()).isEqualTo(bg.getEffectiveFrom());
        assertThat(five.getLegalBasis()).isEqualTo("15 CFR 744.23");
        assertThat(audit().stream().filter(e -> id.equals(e.getDirectiveId()) && e.getDirectiveRevision() != null
                && e.getDirectiveRevision() == 5).findFirst().orElseThrow().getDetails())
                .containsEntry("breakGlassRevision", "4").containsEntry("approvedBy", "bob");
    }

    @Test
    void shouldSignEveryChangeAndIgnoreARecordForgedStraightIntoTheTopic() throws Exception {
        // Given a published revision 1
        String id = newId();
        assertThat(call("POST", "/v1/directives", ALICE, restrict(id, 1, ""), null).statusCode()).isEqualTo(202);
        assertThat(call("POST", "/v1/directives/" + id + "/revisions/1:approve", BOB, null, null).statusCode()).isEqualTo(200);
        await("published").atMost(Duration.ofSeconds(20)).until(() -> changesOf(id).size() == 1);
        ConsumerRecord<byte[], byte[]> record = raw(topics.directiveChanges().name()).stream()
                .filter(x -> topics.directiveChanges().valueSerde().deserializer().deserialize(x.topic(), x.headers(), x.value())
                        .getDirectiveId().equals(id)).findFirst().orElseThrow();
        DirectiveChange change = topics.directiveChanges().valueSerde().deserializer().deserialize(record.topic(), record.headers(), record.value());
        // Then it verifies against ingest's public key
        assertThat(DirectiveSignatures.verify(change, record.headers(), TrustedKeys.of(KEY))).isEqualTo(KEY.keyId());
        // When someone writes revision 99 of it straight to the topic, signed by an unknown key
        DirectiveChange forged = DirectiveChange.newBuilder(change).setChangeId("forged").setRevision(99).build();
        Map<String, Object> producerConfig = new HashMap<>();
        producerConfig.put("bootstrap.servers", cluster.bootstrapServers());
        try (KafkaProducer<String, DirectiveChange> p = new KafkaProducer<>(producerConfig,
                topics.directiveChanges().keySerde().serializer(), topics.directiveChanges().valueSerde().serializer())) {
            ProducerRecord<String, DirectiveChange> pr = new ProducerRecord<>(topics.directiveChanges().name(), id, forged);
            DirectiveSignatures.sign(forged, SigningKey.generate(), pr.headers());
            p.send(pr).get();
        }
        // Then ingest ignores it: revision 2 is still accepted, and its audit sequence has no gap
        assertThat(call("POST", "/v1/directives", ALICE, restrict(id, 2, ""), null).statusCode()).isEqualTo(202);
        HttpResponse<String> two = call("POST", "/v1/directives/" + id + "/revisions/2:approve", BOB, null, null);
        assertThat(two.statusCode()).as(two.body()).isEqualTo(200);
        assertThat(json(call("GET", "/v1/directives/" + id, VERA, null, null)).get("document").get("revision").asInt()).isEqualTo(2);
        await("origin -1 gap-free").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<Long> seq = audit().stream().filter(e -> e.getComponent().equals("directive-ingest") && e.getSourcePartition() == -1)
                    .map(AuditEvent::getSequence).sorted().toList();
            for (int i = 0; i < seq.size(); i++) {
                assertThat(seq.get(i)).isEqualTo(i + 1L);
            }
        });
    }

    @Test
    void shouldAnswerARetriedRequestWithTheFirstAnswerEvenAfterARestart() {
        // Given a submission with an Idempotency-Key
        String id = newId();
        String key = "retry-" + id;
        HttpResponse<String> first = call("POST", "/v1/directives", ALICE, restrict(id, 1, ""), key);
        assertThat(first.statusCode()).isEqualTo(202);
        HttpResponse<String> approved = call("POST", "/v1/directives/" + id + "/revisions/1:approve", BOB, null, "approve-" + id);
        assertThat(approved.statusCode()).isEqualTo(200);
        long changes = changesOf(id).size();
        // When both are retried, on a fresh instance (nothing in memory)
        try (IngestService other = IngestService.start(config())) {
            IngestService main = service;
            service = other;
            try {
                HttpResponse<String> again = call("POST", "/v1/directives", ALICE, restrict(id, 1, ""), key);
                HttpResponse<String> approveAgain = call("POST", "/v1/directives/" + id + "/revisions/1:approve", BOB, null, "approve-" + id);
                HttpResponse<String> misuse = call("POST", "/v1/directives", ALICE, restrict(id, 7, ""), key);
                // Then the first answers come back, marked replayed, and nothing new is published
                assertThat(again.statusCode()).isEqualTo(202);
                assertThat(json(again)).isEqualTo(json(first));
                assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
                assertThat(json(approveAgain)).isEqualTo(json(approved));
                assertThat(misuse.statusCode()).isEqualTo(422);
                assertThat(json(misuse).get("error").asText()).contains("already used");
            } finally {
                service = main;
            }
        }
        assertThat(changesOf(id)).hasSize((int) changes);
    }

    @Test
    void shouldDocumentEveryRouteAndAnswerEveryDocumentedRoute() throws Exception {
        // Given the document served by the API
        HttpResponse<String> doc = call("GET", "/v1/openapi.json", null, null, null);
        assertThat(doc.statusCode()).isEqualTo(200);
        JsonNode paths = json(doc).get("paths");
        Set<String> documented = new java.util.TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            p.getValue().fieldNames().forEachRemaining(m -> documented.add(m.toUpperCase() + " " + p.getKey()));
        }
        // Then it lists exactly the routes the server registers
        Set<String> served = new java.util.TreeSet<>();
        HttpApi.ROUTES.forEach(r -> served.add(r.method() + " " + r.path().replace("{revision}", "{revision}")));
        assertThat(documented).isEqualTo(served);
        // and every documented operation answers one of its documented statuses (never the router's 404)
        for (String op : documented) {
            String method = op.substring(0, op.indexOf(' '));
            String path = op.substring(op.indexOf(' ') + 1).replace("{id}", "NOPE-1").replace("{revision}", "1")
                    .replace("{requestId}", "no-such-request");
            HttpResponse<String> r = call(method, path, OMAR, method.equals("POST") ? "{}" : null, null);
            JsonNode operation = paths.get(op.substring(op.indexOf(' ') + 1)).get(method.toLowerCase());
            assertThat(operation.get("responses").has(Integer.toString(r.statusCode())))
                    .as("%s answered %d %s, documented %s", op, r.statusCode(), r.body(), operation.get("responses").fieldNames())
                    .isTrue();
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        }
    }
}
