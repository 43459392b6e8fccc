package dev.cordon.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.schemas.Topic;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.testkit.CordonCluster;
import dev.cordon.testkit.WithCordonCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * directive-ingest on the test cluster of {@link WithCordonCluster} (Testcontainers or the embedded stack: a KRaft
 * broker and a schema registry). One topic prefix (topics created here, 1 session partition) and one service for
 * the class; every test uses its own directive ids. All instances share the default
 * transactional id, as a deployment's instances do. Four-eyes approval is switched off here
 * ({@code ingest.approval.required=false}) to test publication itself; {@link OperatorWorkflowIntegrationTest}
 * covers approval.
 */
@WithCordonCluster
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IngestServiceIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = Tokens.generate();
    private static final dev.cordon.schemas.signing.SigningKey SIGNING_KEY = dev.cordon.schemas.signing.SigningKey.generate();
    private static final AtomicInteger IDS = new AtomicInteger();
    /** Topics of this class only: the gap-free audit checks count every record on them. */
    private static final String PREFIX = "ingest-it-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private static CordonCluster cluster;
    private static TopicCatalogue topics;
    private static IngestService service;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startService(CordonCluster testCluster) {
        cluster = testCluster;
        cluster.createTopics(PREFIX, 1);
        topics = TopicCatalogue.create(PREFIX, Map.of("schema.registry.url", cluster.schemaRegistryUrl()));
        service = IngestService.start(config());
    }

    @AfterAll
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }

    private static IngestConfig config() {
        Map<String, Object> props = new HashMap<>();
        props.put(IngestConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(IngestConfig.SCHEMA_REGISTRY_URL_CONFIG, cluster.schemaRegistryUrl());
        props.put(IngestConfig.TOPIC_PREFIX_CONFIG, PREFIX);
        props.put(IngestConfig.PORT_CONFIG, 0);
        props.put(IngestConfig.AUTH_TOKENS_CONFIG, Tokens.entry("ops-alice", TOKEN));
        props.put(IngestConfig.APPROVAL_REQUIRED_CONFIG, false);
        props.put(IngestConfig.SIGNING_PRIVATE_KEY_CONFIG, SIGNING_KEY.privateKeyBase64());
        return new IngestConfig(props);
    }

    private static String newId() {
        return "IT-" + IDS.incrementAndGet();
    }

    private static String restrict(String id, int revision, String mode) {
        return """
                {"directiveId": "%s", "revision": %d, "action": "RESTRICT", "issuer": "us-bis",
                 "legalBasis": "15 CFR 744.23 (interim order)", "reason": "integration test", "mode": "%s",
                 "scope": {"resources": ["fable-5"],
                           "subjects": [{"all": [{"attribute": "nationality", "op": "NOT_IN", "values": ["us"]}]}]}}
                """.formatted(id, revision, mode);
    }

    private static String lift(String id, int revision) {
        return """
                {"directiveId": "%s", "revision": %d, "action": "LIFT", "issuer": "us-bis", "reason": "over"}
                """.formatted(id, revision);
    }

    private static HttpResponse<String> post(IngestService target, String body) {
        return send(target, HttpRequest.newBuilder(target.baseUri().resolve("/v1/directives"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> send(IngestService target, HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("request to " + target.baseUri() + " failed", e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    /** Latest offsets as read_uncommitted sees them: moves with any write, committed, aborted or marker. */
    private static Map<TopicPartition, Long> rawEndOffsets() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_uncommitted")) {
            List<TopicPartition> tps = List.of(new TopicPartition(topics.directiveChanges().name(), 0),
                    new TopicPartition(topics.auditLog().name(), 0));
            return consumer.endOffsets(tps, Duration.ofSeconds(10));
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(config);
    }

    /** Every committed value of a one-partition topic, read read_committed up to its last stable offset. */
    private static <V> List<V> readCommitted(Topic<String, V> topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_committed")) {
            TopicPartition tp = new TopicPartition(topic.name(), 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
            List<V> values = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(topic.valueSerde().deserializer().deserialize(topic.name(), r.value()));
                }
            }
            return values;
        }
    }

    private static List<DirectiveChange> changesOf(String id) {
        return readCommitted(topics.directiveChanges()).stream().filter(c -> c.getDirectiveId().equals(id)).toList();
    }

    /** The DIRECTIVE_ACCEPTED events of a directive (refusals concerning it are audited too, as DIRECTIVE_REFUSED). */
    private static List<AuditEvent> auditOf(String id) {
        return readCommitted(topics.auditLog()).stream()
                .filter(a -> id.equals(a.getDirectiveId()) && a.getType() == AuditEventType.DIRECTIVE_ACCEPTED).toList();
    }

    @Test
    void shouldPublishTheChangeAndItsAuditEventInOneTransaction() {
        // Given
        String id = newId();
        // When
        HttpResponse<String> response = post(service, restrict(id, 1, "ENFORCE"));
        // Then 202 with the change id
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode body = json(response);
        assertThat(body.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(body.get("revision").asInt()).isEqualTo(1);
        assertThat(body.get("mode").asText()).isEqualTo("ENFORCE");
        String changeId = body.get("changeId").asText();
        // and read_committed sees the change and its audit event
        await("change and audit event committed").atMost(Duration.ofSeconds(20))
                .until(() -> changesOf(id).size() == 1 && auditOf(id).size() == 1);
        DirectiveChange change = changesOf(id).get(0);
        assertThat(change.getChangeId()).isEqualTo(changeId);
        assertThat(change.getPrincipal()).isEqualTo("ops-alice");
        assertThat(change.getScope().getSubjects().get(0).getAll().get(0).getValues()).containsExactly("US");
        assertThat(change.getEffectiveFrom()).isEqualTo(change.getAcceptedAt());
        AuditEvent audit = auditOf(id).get(0);
        assertThat(audit.getType()).isEqualTo(AuditEventType.DIRECTIVE_ACCEPTED);
        assertThat(audit.getComponent()).isEqualTo("directive-ingest");
        assertThat(audit.getSourcePartition()).isEqualTo(-1);
        assertThat(audit.getEventId()).isEqualTo("directive-ingest/-1/" + audit.getSequence());
        assertThat(audit.getDirectiveRevision()).isEqualTo(1);
        assertThat(audit.getDetails()).containsEntry("changeId", changeId).containsEntry("principal", "ops-alice")
                .containsEntry("action", "RESTRICT").containsEntry("mode", "ENFORCE").containsEntry("revision", "1")
                .containsEntry("issuer", "us-bis").containsEntry("legalBasis", "15 CFR 744.23 (interim order)");
        // and GET shows it as the current revision
        HttpResponse<String> get = send(service, HttpRequest.newBuilder(service.baseUri().resolve("/v1/directives/" + id))
                .header("Authorization", "Bearer " + TOKEN).GET());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(json(get).get("document").get("revision").asInt()).isEqualTo(1);
        assertThat(json(get).get("status").asText()).isEqualTo("IN_FORCE");
        assertThat(json(get).get("principal").asText()).isEqualTo("ops-alice");
        HttpResponse<String> list = send(service, HttpRequest.newBuilder(service.baseUri().resolve("/v1/directives"))
                .header("Authorization", "Bearer " + TOKEN).GET());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(json(list).get("directives").findValuesAsText("directiveId")).contains(id);
        HttpResponse<String> unknown = send(service, HttpRequest.newBuilder(service.baseUri().resolve("/v1/directives/NOPE-1"))
                .header("Authorization", "Bearer " + TOKEN).GET());
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    @Test
    void shouldRefuseEveryBadRequestWithItsStatusAndPublishNothing() {
        // Given a directive at revision 2
        String id = newId();
        assertThat(post(service, restrict(id, 2, "ENFORCE")).statusCode()).isEqualTo(202);
        await("revision 2 visible").atMost(Duration.ofSeconds(20)).until(() -> changesOf(id).size() == 1);
        Map<TopicPartition, Long> before = rawEndOffsets();
        long refusalsBefore = refusalsAudited();
        // When each bad request is sent, Then its status is as documented
        Map<String, Integer> refusals = new java.util.LinkedHashMap<>();
        refusals.put("{\"directiveId\": ", 400);
        refusals.put("{\"directiveId\": \"x\"} trailing", 400);
        refusals.put(restrict(id, 3, "ENFORCE").replace("\"issuer\"", "\"issuers\""), 400);
        refusals.put(restrict(id, 3, "ENFORCE").replace("\"revision\": 3", "\"revision\": \"3\""), 400);
        refusals.put(restrict(id, 3, "ENFORCE").replace("[\"us\"]", "[\"UK\"]"), 422);
        refusals.put(restrict(id, 3, "ENFORCE").replace("[\"fable-5\"]", "[]"), 422);
        refusals.put(restrict(id, 0, "ENFORCE"), 422);
        refusals.put(restrict(id, 2, "ENFORCE"), 409);
        refusals.put(restrict(id, 1, "DRY_RUN"), 409);
        refusals.put(lift(newId(), 1), 404);
        for (Map.Entry<String, Integer> refusal : refusals.entrySet()) {
            HttpResponse<String> response = post(service, refusal.getKey());
            assertThat(response.statusCode()).as(refusal.getKey() + " -> " + response.body())
                    .isEqualTo(refusal.getValue());
            JsonNode body = json(response);
            assertThat(body.get("status").asInt()).isEqualTo(refusal.getValue());
            assertThat(body.get("error").asText()).isNotBlank();
        }
        HttpResponse<String> noToken = send(service, HttpRequest.newBuilder(service.baseUri().resolve("/v1/directives"))
                .POST(HttpRequest.BodyPublishers.ofString(restrict(id, 3, "ENFORCE"))));
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(noToken.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        HttpResponse<String> badToken = send(service, HttpRequest.newBuilder(service.baseUri().resolve("/v1/directives"))
                .header("Authorization", "Bearer " + Tokens.generate())
                .POST(HttpRequest.BodyPublishers.ofString(restrict(id, 3, "ENFORCE"))));
        assertThat(badToken.statusCode()).isEqualTo(401);
        // Then nothing was written to directive-changes, and each of the 12 refusals was audited (origin -2)
        TopicPartition changes = new TopicPartition(topics.directiveChanges().name(), 0);
        assertThat(rawEndOffsets().get(changes)).isEqualTo(before.get(changes));
        await("12 refusals audited").atMost(Duration.ofSeconds(20))
                .until(() -> refusalsAudited() - refusalsBefore == 12);
        assertThat(readCommitted(topics.auditLog()).stream()
                .filter(e -> e.getType() == AuditEventType.DIRECTIVE_REFUSED)
                .map(e -> e.getDetails().toString()))
                .noneMatch(d -> d.contains(TOKEN));
        // and the error names the field with a hint
        JsonNode uk = json(post(service, restrict(id, 3, "ENFORCE").replace("[\"us\"]", "[\"UK\"]")));
        assertThat(uk.get("field").asText()).isEqualTo("scope.subjects[0].all[0].values[0]");
        assertThat(uk.get("error").asText()).contains("did you mean `GB`?");
    }

    @Test
    void shouldAnswer409NamingTheCurrentRevisionForStaleOrDuplicateRevisions() {
        // Given revision 5 is current
        String id = newId();
        assertThat(post(service, restrict(id, 5, "ENFORCE")).statusCode()).isEqualTo(202);
        // When the same and a lower revision are sent
        HttpResponse<String> duplicate = post(service, restrict(id, 5, "ENFORCE"));
        HttpResponse<String> stale = post(service, lift(id, 4));
        // Then both 409, naming revision 5; a higher LIFT is accepted
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(json(duplicate).get("error").asText()).contains("current revision 5");
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(post(service, lift(id, 6)).statusCode()).isEqualTo(202);
        assertThat(post(service, restrict(id, 6, "ENFORCE")).statusCode()).isEqualTo(409);
    }

    @Test
    void shouldNotUseUpTheRevisionOfADryRun() {
        // Given a DRY_RUN of revision 1
        String id = newId();
        assertThat(post(service, restrict(id, 1, "DRY_RUN")).statusCode()).isEqualTo(202);
        // When the same revision is issued in ENFORCE
        HttpResponse<String> enforce = post(service, restrict(id, 1, "ENFORCE"));
        // Then it is accepted, and both were published (the dry run for its impact report)
        assertThat(enforce.statusCode()).as(enforce.body()).isEqualTo(202);
        await("both published").atMost(Duration.ofSeconds(20)).until(() -> changesOf(id).size() == 2);
        assertThat(changesOf(id)).extracting(DirectiveChange::getMode)
                .containsExactly(DirectiveMode.DRY_RUN, DirectiveMode.ENFORCE);
        // and a LIFT of a directive only ever dry-run would have been 404: checked via a fresh id
        String onlyDryRun = newId();
        assertThat(post(service, restrict(onlyDryRun, 1, "DRY_RUN")).statusCode()).isEqualTo(202);
        assertThat(post(service, lift(onlyDryRun, 2)).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldKeepTheCurrentRevisionAndAuditSequenceAcrossARestart() {
        // Given revision 2 accepted by a first instance, which then stops
        String id = newId();
        long sequenceBefore;
        try (IngestService first = IngestService.start(config())) {
            assertThat(post(first, restrict(id, 2, "ENFORCE")).statusCode()).isEqualTo(202);
        }
        await("revision 2 audited").atMost(Duration.ofSeconds(20)).until(() -> auditOf(id).size() == 1);
        sequenceBefore = auditOf(id).get(0).getSequence();
        // When a new instance starts on the same cluster
        try (IngestService second = IngestService.start(config())) {
            // Then it refuses the stale revision and continues the audit sequence
            assertThat(post(second, restrict(id, 2, "ENFORCE")).statusCode()).isEqualTo(409);
            assertThat(post(second, restrict(id, 3, "ENFORCE")).statusCode()).isEqualTo(202);
        }
        await("revision 3 audited").atMost(Duration.ofSeconds(20)).until(() -> auditOf(id).size() == 2);
        assertThat(auditOf(id).get(1).getSequence()).isGreaterThan(sequenceBefore);
        assertAuditSequenceIsGapFree();
    }

    @Test
    void shouldAcceptExactlyOneOfConcurrentPostsOfTheSameRevision() throws Exception {
        // Given
        String id = newId();
        int n = 8;
        // When n clients post revision 1 at once
        List<Integer> statuses = concurrently(n, i -> post(service, restrict(id, 1, "ENFORCE")).statusCode());
        // Then exactly one 202, the others 409, and one record published
        assertThat(statuses).filteredOn(s -> s == 202).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 409).hasSize(n - 1);
        await("one change").atMost(Duration.ofSeconds(20)).until(() -> changesOf(id).size() == 1);
    }

    @Test
    void shouldNeverLetTwoInstancesBothAcceptTheSameRevision() throws Exception {
        // Given two more instances on the same cluster (three with the class's own)
        String id = newId();
        try (IngestService a = IngestService.start(config()); IngestService b = IngestService.start(config())) {
            List<IngestService> instances = List.of(a, b, service);
            List<Integer> accepted = new ArrayList<>();
            // When, round after round, every instance receives the same revision concurrently
            for (int revision = 1; revision <= 4; revision++) {
                int r = revision;
                List<Integer> statuses = concurrently(6,
                        i -> post(instances.get(i % instances.size()), restrict(id, r, "ENFORCE")).statusCode());
                // Then at most one accepts it; the others refuse with 409 (or 503 when fenced twice)
                assertThat(statuses).as("round %d: %s", r, statuses).filteredOn(s -> s == 202).hasSizeLessThanOrEqualTo(1);
                assertThat(statuses).as("round %d: %s", r, statuses).allMatch(s -> s == 202 || s == 409 || s == 503);
                if (statuses.contains(202)) {
                    accepted.add(r);
                }
            }
            // and what was published is exactly what was answered 202, once each
            await("accepted revisions published").atMost(Duration.ofSeconds(20))
                    .until(() -> changesOf(id).size() >= accepted.size());
            assertThat(changesOf(id)).extracting(DirectiveChange::getRevision).containsExactlyElementsOf(accepted);
            assertThat(accepted).isNotEmpty();
        }
        assertAuditSequenceIsGapFree();
    }

    @Test
    void shouldRefuseToStartWhenTheTopicsDoNotExist() {
        // Given a prefix under which no topic was created
        Map<String, Object> props = new HashMap<>(config().originals());
        props.put(IngestConfig.TOPIC_PREFIX_CONFIG, "missing.");
        props.put(IngestConfig.STARTUP_TIMEOUT_MS_CONFIG, 10_000L);
        // When / Then
        assertThatThrownBy(() -> IngestService.start(new IngestConfig(props)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("missing.directive-changes");
    }

    @Test
    void shouldReportHealthWithoutAuthentication() {
        HttpResponse<String> health = send(service, HttpRequest.newBuilder(service.baseUri().resolve("/health")).GET());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).get("status").asText()).isEqualTo("UP");
        assertThat(service.baseUri()).isEqualTo(URI.create("http://127.0.0.1:" + service.port() + "/"));
    }

    private static long refusalsAudited() {
        return readCommitted(topics.auditLog()).stream().filter(e -> e.getType() == AuditEventType.DIRECTIVE_REFUSED).count();
    }

    /**
     * Ingest's audit sequences are 1..n without gaps or repeats per origin: origin -1 has n = committed
     * directive-changes records (all written by ingest here); origin -2 (refusals, submissions) is 1..m.
     */
    private static void assertAuditSequenceIsGapFree() {
        await("audit-log and directive-changes agree").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<AuditEvent> audit = readCommitted(topics.auditLog());
            List<Long> sequences = audit.stream()
                    .filter(e -> e.getComponent().equals("directive-ingest") && e.getSourcePartition() == -1)
                    .map(AuditEvent::getSequence).sorted().collect(Collectors.toList());
            long changes = readCommitted(topics.directiveChanges()).size();
            assertThat(sequences).containsExactlyElementsOf(LongStream.rangeClosed(1, changes).boxed().toList());
            List<Long> workflow = audit.stream()
                    .filter(e -> e.getComponent().equals("directive-ingest") && e.getSourcePartition() == -2)
                    .map(AuditEvent::getSequence).sorted().collect(Collectors.toList());
            assertThat(workflow).containsExactlyElementsOf(LongStream.rangeClosed(1, workflow.size()).boxed().toList());
        });
    }

    private interface Call {
        int apply(int index) throws Exception;
    }

    private static List<Integer> concurrently(int n, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<Integer> task = () -> {
                    start.await();
                    return call.apply(index);
                };
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> f : futures) {
                results.add(f.get(2, TimeUnit.MINUTES));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
