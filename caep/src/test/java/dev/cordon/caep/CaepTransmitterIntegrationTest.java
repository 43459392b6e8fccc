package dev.cordon.caep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cordon.avro.CommandKind;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.schemas.TopicNames;
import dev.cordon.schemas.serde.SpecificAvroSerde;
import dev.cordon.testkit.CordonCluster;
import dev.cordon.testkit.WithCordonCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CAEP transmitter on the test cluster of {@link WithCordonCluster} (Testcontainers or the embedded stack: Kafka
 * broker, schema registry, PostgreSQL; one topic prefix with 2 session partitions and one database per test) with a
 * real HTTP push receiver: what a security team's SSF receiver sees.
 */
@WithCordonCluster
@Tag("integration")
class CaepTransmitterIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger RUN = new AtomicInteger();
    private static final String POLL_TOKEN = "poll-token-of-the-soc";
    /** Distinguishes this run's topic prefixes and databases from any other class's on the shared cluster. */
    private static final String RUN_ID = UUID.randomUUID().toString().substring(0, 8);
    private static CordonCluster cluster;

    @TempDir
    Path dir;
    private String prefix;
    private String jdbcUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void useCluster(CordonCluster testCluster) {
        cluster = testCluster;
    }

    @BeforeEach
    void freshTopicsAndDatabase() throws Exception {
        int run = RUN.incrementAndGet();
        prefix = "caep-" + RUN_ID + "-" + run + ".";
        cluster.createTopics(prefix, 2);
        jdbcUrl = cluster.createDatabase("caep_" + RUN_ID + "_" + run);
    }

    private Map<String, Object> config(SetReceiver pushReceiver) {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", cluster.bootstrapServers());
        c.put("schema.registry.url", cluster.schemaRegistryUrl());
        c.put("topic.prefix", prefix);
        c.put("jdbc.url", jdbcUrl);
        c.put("jdbc.user", cluster.jdbcUser());
        c.put("jdbc.password", cluster.jdbcPassword());
        c.put("caep.issuer", "https://cordon.example.com");
        c.put("caep.http.port", 0);
        c.put("caep.signing.key.file", dir.resolve("key.jwk.json").toString());
        c.put("caep.push.retry.backoff.ms", 50L);
        c.put("caep.push.retry.backoff.max.ms", 200L);
        c.put("caep.poll.wait.ms", 2_000L);
        c.put("caep.poll.redelivery.ms", 300L);
        c.put("caep.receivers", "siem,soc");
        c.put("caep.receiver.siem.audience", "https://siem.example.com");
        c.put("caep.receiver.siem.delivery", "push");
        c.put("caep.receiver.siem.push.url", pushReceiver.url());
        c.put("caep.receiver.siem.push.authorization", "Bearer push-secret");
        c.put("caep.receiver.soc.audience", "https://soc.example.com");
        c.put("caep.receiver.soc.delivery", "poll");
        c.put("caep.receiver.soc.poll.token.sha256", CaepConfig.sha256Hex(POLL_TOKEN));
        return c;
    }

    private static RevocationCommand command(String sessionId, CommandKind kind, int attempt) {
        return RevocationCommand.newBuilder()
                .setCommandId("cmd-" + sessionId + "-" + kind + "-" + attempt)
                .setKind(kind).setAttempt(attempt).setSessionId(sessionId).setUserId("u-" + sessionId)
                .setResource("fable-5").setGatewayId("gw-eu-1").setDirectiveId("BIS-2026-AI-001").setDirectiveRevision(1)
                .setLegalBasis("15 CFR 744.23 (interim order)").setMatched("nationality NOT_IN [US]")
                .setIssuedAt(Instant.parse("2026-11-26T12:00:00.120Z")).setChangeId("change-" + sessionId)
                .build();
    }

    private void produce(RevocationCommand... commands) {
        SpecificAvroSerde<RevocationCommand> serde = new SpecificAvroSerde<>(RevocationCommand.class);
        serde.configure(Map.of("schema.registry.url", cluster.schemaRegistryUrl()), false);
        try (KafkaProducer<String, RevocationCommand> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()), new StringSerializer(), serde.serializer())) {
            for (RevocationCommand c : commands) {
                producer.send(new ProducerRecord<>(prefix + TopicNames.REVOCATION_COMMANDS, c.getSessionId(), c));
            }
            producer.flush();
        }
    }

    private void produceAborted(RevocationCommand command) {
        SpecificAvroSerde<RevocationCommand> serde = new SpecificAvroSerde<>(RevocationCommand.class);
        serde.configure(Map.of("schema.registry.url", cluster.schemaRegistryUrl()), false);
        try (KafkaProducer<String, RevocationCommand> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "caep-test-" + prefix), new StringSerializer(), serde.serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(prefix + TopicNames.REVOCATION_COMMANDS, command.getSessionId(), command));
            producer.flush();
            producer.abortTransaction();
        }
    }

    private JsonNode poll(CaepTransmitter t, String token, String body) throws Exception {
        HttpResponse<String> response = pollResponse(t, token, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> pollResponse(CaepTransmitter t, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(t.baseUri().resolve(CaepEvents.POLL_PATH))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private SignedJWT verified(CaepTransmitter t, String jws) throws Exception {
        String jwks = http.send(HttpRequest.newBuilder(t.baseUri().resolve(CaepEvents.JWKS_PATH)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        RSAKey key = (RSAKey) JWKSet.parse(jwks).getKeys().get(0);
        SignedJWT jwt = SignedJWT.parse(jws);
        assertThat(jwt.verify(new RSASSAVerifier(key))).as("RS256 signature verifies with /jwks.json").isTrue();
        assertThat(key.size()).isGreaterThanOrEqualTo(2048);
        return jwt;
    }

    @Test
    void shouldPushOneSignedSessionRevokedSetPerRevokeAndNoneForDenyOrAbortedCommands() throws Exception {
        try (SetReceiver receiver = new SetReceiver(); CaepTransmitter t = CaepTransmitter.start(new CaepConfig(config(receiver)))) {
            // Given a REVOKE, a DENY, and a REVOKE in an aborted transaction
            produceAborted(command("s-aborted", CommandKind.REVOKE, 1));
            produce(command("s-1", CommandKind.REVOKE, 1), command("s-2", CommandKind.DENY, 1));

            // When the transmitter has pushed what it will
            await("one SET pushed").atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() >= 1);
            await("push state settled").atMost(Duration.ofSeconds(10)).until(() -> t.deliveryStates().stream()
                    .filter(s -> s.receiver().equals("siem")).allMatch(s -> s.status().equals("DELIVERED")));

            // Then exactly one SET, for s-1, as RFC 8935 and CAEP 1.0 describe it
            assertThat(receiver.requests()).hasSize(1);
            SetReceiver.Request request = receiver.requests().get(0);
            assertThat(request.contentType()).isEqualTo("application/secevent+jwt");
            assertThat(request.authorization()).isEqualTo("Bearer push-secret");
            SignedJWT jwt = verified(t, request.body());
            assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
            assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("secevent+jwt"));
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            assertThat(claims.getIssuer()).isEqualTo("https://cordon.example.com");
            assertThat(claims.getAudience()).containsExactly("https://siem.example.com");
            assertThat(claims.getJWTID()).isNotBlank();
            assertThat(claims.getIssueTime()).isNotNull();
            assertThat(claims.getExpirationTime()).as("SSF: exp MUST NOT be present").isNull();
            assertThat(claims.getStringClaim("txn")).isEqualTo("change-s-1");
            JsonNode all = JSON.readTree(claims.toString());
            assertThat(all.path("sub_id").path("format").asText()).isEqualTo("complex");
            assertThat(all.path("sub_id").path("session")).isEqualTo(JSON.readTree("{\"format\":\"opaque\",\"id\":\"s-1\"}"));
            assertThat(all.path("sub_id").path("user")).isEqualTo(JSON.readTree("{\"format\":\"opaque\",\"id\":\"u-s-1\"}"));
            JsonNode event = all.path("events").path(CaepEvents.SESSION_REVOKED);
            assertThat(all.path("events").size()).isEqualTo(1);
            assertThat(event.path("initiating_entity").asText()).isEqualTo("policy");
            assertThat(event.path("event_timestamp").asLong()).isEqualTo(Instant.parse("2026-11-26T12:00:00Z").getEpochSecond());
            assertThat(event.path("reason_admin").path("en").asText())
                    .contains("BIS-2026-AI-001").contains("revision 1").contains("15 CFR 744.23 (interim order)")
                    .contains("nationality NOT_IN [US]");
            // and the poll receiver has its own SET of the same command (its own aud and jti), nothing for s-2
            assertThat(t.deliveryStates()).extracting(CaepTransmitter.DeliveryState::commandId)
                    .containsOnly("cmd-s-1-REVOKE-1").hasSize(2);
        }
    }

    @Test
    void shouldRetryAPushWithBackoffUntilTheReceiverAcceptsIt() throws Exception {
        try (SetReceiver receiver = new SetReceiver(); CaepTransmitter t = CaepTransmitter.start(new CaepConfig(config(receiver)))) {
            // Given a receiver that fails twice (503, then no-such-luck 429)
            receiver.failNext(1, 503);
            receiver.failNext(1, 429);

            // When a REVOKE arrives
            produce(command("s-1", CommandKind.REVOKE, 1));

            // Then it is accepted on the third attempt, with the same bytes each time
            await("SET accepted").atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() == 1);
            assertThat(receiver.requests()).extracting(SetReceiver.Request::answered).containsExactly(503, 429, 202);
            assertThat(receiver.requests()).extracting(SetReceiver.Request::body).containsOnly(receiver.accepted().get(0));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(t.deliveryStates())
                    .filteredOn(s -> s.receiver().equals("siem")).singleElement()
                    .satisfies(s -> {
                        assertThat(s.status()).isEqualTo("DELIVERED");
                        assertThat(s.attempts()).isEqualTo(3);
                    }));
        }
    }

    @Test
    void shouldNotSendAgainASetTheReceiverRefusedWith400() throws Exception {
        try (SetReceiver receiver = new SetReceiver(); CaepTransmitter t = CaepTransmitter.start(new CaepConfig(config(receiver)))) {
            receiver.failNext(1, 400);

            produce(command("s-1", CommandKind.REVOKE, 1));

            await("SET marked failed").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(t.deliveryStates())
                    .filteredOn(s -> s.receiver().equals("siem")).singleElement()
                    .satisfies(s -> {
                        assertThat(s.status()).isEqualTo("FAILED");
                        assertThat(s.lastError()).contains("invalid_audience");
                    }));
            assertThat(receiver.requests()).hasSize(1);
        }
    }

    @Test
    void shouldServeRfc8936PollWithMaxEventsAckAndSetErrs() throws Exception {
        try (SetReceiver receiver = new SetReceiver(); CaepTransmitter t = CaepTransmitter.start(new CaepConfig(config(receiver)))) {
            // Given three REVOKEs
            produce(command("s-1", CommandKind.REVOKE, 1), command("s-2", CommandKind.REVOKE, 1), command("s-3", CommandKind.REVOKE, 1));
            await("three SETs stored for the poll receiver").atMost(Duration.ofSeconds(30)).until(() -> t.deliveryStates().stream()
                    .filter(s -> s.receiver().equals("soc")).count() == 3);

            // When the SOC polls two at a time without a token, then with it
            assertThat(pollResponse(t, null, "{}").statusCode()).isEqualTo(401);
            assertThat(pollResponse(t, "wrong", "{}").statusCode()).isEqualTo(401);
            assertThat(pollResponse(t, POLL_TOKEN, "{\"maxEvents\": -1}").statusCode()).isEqualTo(400);
            JsonNode first = poll(t, POLL_TOKEN, "{\"maxEvents\": 2, \"returnImmediately\": true}");

            // Then it gets two SETs for its own audience and is told more are available
            assertThat(first.path("sets").size()).isEqualTo(2);
            assertThat(first.path("moreAvailable").asBoolean()).isTrue();
            List<String> firstJtis = iterable(first.path("sets").fieldNames());
            for (String jti : firstJtis) {
                JWTClaimsSet claims = verified(t, first.path("sets").path(jti).asText()).getJWTClaimsSet();
                assertThat(claims.getJWTID()).isEqualTo(jti);
                assertThat(claims.getAudience()).containsExactly("https://soc.example.com");
            }

            // When it acknowledges one, rejects the other, and asks for more
            JsonNode second = poll(t, POLL_TOKEN, "{\"ack\": [\"" + firstJtis.get(0) + "\"], \"setErrs\": {\"" + firstJtis.get(1)
                    + "\": {\"err\": \"invalid_key\", \"description\": \"unknown kid\"}}, \"maxEvents\": 10, \"returnImmediately\": true}");

            // Then it gets the third, and nothing is left
            assertThat(second.path("sets").size()).isEqualTo(1);
            assertThat(iterable(second.path("sets").fieldNames())).doesNotContainAnyElementsOf(firstJtis);
            assertThat(second.path("moreAvailable").asBoolean()).isFalse();
            Map<String, String> status = t.deliveryStates().stream().filter(s -> s.receiver().equals("soc"))
                    .collect(Collectors.toMap(CaepTransmitter.DeliveryState::jti, CaepTransmitter.DeliveryState::status));
            assertThat(status).containsEntry(firstJtis.get(0), "DELIVERED").containsEntry(firstJtis.get(1), "FAILED");

            // And an unacknowledged SET is offered again after the redelivery time; acknowledged ones never
            String third = second.path("sets").fieldNames().next();
            JsonNode again = poll(t, POLL_TOKEN, "{\"maxEvents\": 10}");
            assertThat(iterable(again.path("sets").fieldNames())).containsExactly(third);
            JsonNode done = poll(t, POLL_TOKEN, "{\"ack\": [\"" + third + "\"], \"returnImmediately\": true}");
            assertThat(done.path("sets").size()).isZero();
            assertThat(done.path("moreAvailable").asBoolean()).isFalse();
        }
    }

    @Test
    void shouldLoseAndDuplicateNothingAcrossRestarts() throws Exception {
        try (SetReceiver receiver = new SetReceiver()) {
            // Given the push receiver is down while two REVOKEs are read, and the poll receiver took one without acking
            receiver.down(503);
            String polledBeforeRestart;
            try (CaepTransmitter t = CaepTransmitter.start(new CaepConfig(config(receiver)))) {
                produce(command("s-1", CommandKind.REVOKE, 1), command("s-2", CommandKind.REVOKE, 1));
                await("both stored").atMost(Duration.ofSeconds(30)).until(() -> t.deliveryStates().size() == 4);
                await("a push was tried").atMost(Duration.ofSeconds(30)).until(() -> !receiver.requests().isEmpty());
                JsonNode polled = poll(t, POLL_TOKEN, "{\"maxEvents\": 1, \"returnImmediately\": true}");
                polledBeforeRestart = polled.path("sets").fieldNames().next();
            }
            // and a third REVOKE arrives while the transmitter is stopped
            produce(command("s-3", CommandKind.REVOKE, 1));

            // When it restarts and the receiver is back
            receiver.up();
            Set<String> polledJtis;
            try (CaepTransmitter t = CaepTransmitter.start(new CaepConfig(config(receiver)))) {
                await("all three pushed").atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() >= 3);
                JsonNode polled = poll(t, POLL_TOKEN, "{\"maxEvents\": 10}");
                polledJtis = Set.copyOf(iterable(polled.path("sets").fieldNames()));
                poll(t, POLL_TOKEN, "{\"ack\": " + JSON.writeValueAsString(polledJtis) + ", \"maxEvents\": 0}");
                assertThat(t.deliveryStates()).hasSize(6).allMatch(s -> s.status().equals("DELIVERED"));
            }

            // Then the push receiver got each of the three SETs exactly once, and the poll receiver all three
            List<String> pushedJtis = receiver.accepted().stream().map(CaepTransmitterIntegrationTest::jti).toList();
            assertThat(pushedJtis).hasSize(3).doesNotHaveDuplicates();
            assertThat(polledJtis).hasSize(3).contains(polledBeforeRestart);

            // When the stored position is lost (as if the commands were read again) and it restarts once more
            try (Connection c = java.sql.DriverManager.getConnection(jdbcUrl, cluster.jdbcUser(), cluster.jdbcPassword());
                 Statement s = c.createStatement()) {
                assertThat(s.executeUpdate("DELETE FROM cordon_caep.consumed_offsets")).isPositive();
            }
            try (CaepTransmitter t = CaepTransmitter.start(new CaepConfig(config(receiver)))) {
                produce(command("s-4", CommandKind.REVOKE, 1));
                await("the new one pushed").atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() >= 4);
                // Then the re-read commands made no new SET: one per receiver and command
                assertThat(t.deliveryStates()).hasSize(8);
            }
            assertThat(receiver.accepted()).hasSize(4);
        }
    }

    @Test
    void shouldPublishTheSsfConfigurationAndGenerateTheKeyOnce() throws Exception {
        try (SetReceiver receiver = new SetReceiver()) {
            String firstJwks;
            try (CaepTransmitter t = CaepTransmitter.start(new CaepConfig(config(receiver)))) {
                JsonNode metadata = JSON.readTree(http.send(HttpRequest.newBuilder(
                        t.baseUri().resolve(CaepEvents.SSF_CONFIGURATION_PATH)).build(), HttpResponse.BodyHandlers.ofString()).body());
                assertThat(metadata.path("issuer").asText()).isEqualTo("https://cordon.example.com");
                assertThat(URI.create(metadata.path("jwks_uri").asText()).getPath()).isEqualTo(CaepEvents.JWKS_PATH);
                assertThat(iterable(metadata.path("delivery_methods_supported").elements()).stream().map(JsonNode::asText))
                        .containsExactlyInAnyOrder("urn:ietf:rfc:8935", "urn:ietf:rfc:8936");
                firstJwks = t.jwks();
                assertThat(firstJwks).doesNotContain("\"d\"");
            }
            assertThat(Files.exists(dir.resolve("key.jwk.json"))).isTrue();
            try (CaepTransmitter t = CaepTransmitter.start(new CaepConfig(config(receiver)))) {
                assertThat(t.jwks()).isEqualTo(firstJwks);
            }
        }
    }

    @Test
    void shouldCountSignedDeliveredPendingAndFailedSetsOnMetricsAndBeReady() throws Exception {
        Map<String, Object> c;
        try (SetReceiver receiver = new SetReceiver()) {
            c = config(receiver);
            c.put("ops.enabled", true);
            c.put("ops.port", 0);
            try (CaepTransmitter t = CaepTransmitter.start(new CaepConfig(c))) {
                URI ops = t.opsServer().orElseThrow().baseUri();
                // Given a push receiver that answers 503 once, then 400 once, then accepts
                receiver.failNext(1, 503);
                receiver.failNext(1, 400);
                assertThat(metric(ops, "cordon_caep_events_signed_total{service=\"caep\"}")).isZero();

                // When two REVOKEs arrive (and one DENY, which makes no SET)
                produce(command("s-1", CommandKind.REVOKE, 1), command("s-2", CommandKind.DENY, 1),
                        command("s-3", CommandKind.REVOKE, 1));

                // Then 4 SETs are signed (2 commands x 2 receivers); for the push receiver one is delivered, one
                // failed for good, after one retry; the poll receiver's two are pending
                await("push outcomes").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(metric(ops, "cordon_caep_events_signed_total{service=\"caep\"}")).isEqualTo(4.0);
                    assertThat(metric(ops, "cordon_caep_events_delivered_total{delivery=\"push\",receiver=\"siem\",service=\"caep\"}"))
                            .isEqualTo(1.0);
                    assertThat(metric(ops, "cordon_caep_events_failed_total{delivery=\"push\",receiver=\"siem\",service=\"caep\"}"))
                            .isEqualTo(1.0);
                    assertThat(metric(ops, "cordon_caep_push_retries_total{receiver=\"siem\",service=\"caep\"}")).isEqualTo(1.0);
                    assertThat(metric(ops, "cordon_caep_events_pending{receiver=\"soc\",service=\"caep\"}")).isEqualTo(2.0);
                    assertThat(metric(ops, "cordon_caep_events_pending{receiver=\"siem\",service=\"caep\"}")).isZero();
                });

                // When the poll receiver acknowledges what it gets
                JsonNode got = poll(t, POLL_TOKEN, "{\"maxEvents\": 10, \"returnImmediately\": true}");
                List<String> jtis = iterable(got.path("sets").fieldNames());
                poll(t, POLL_TOKEN, "{\"ack\": " + JSON.writeValueAsString(jtis) + ", \"returnImmediately\": true}");

                // Then they count as delivered by poll and nothing is pending; the transmitter is live and ready
                await("poll outcomes").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    assertThat(metric(ops, "cordon_caep_events_delivered_total{delivery=\"poll\",receiver=\"soc\",service=\"caep\"}"))
                            .isEqualTo(2.0);
                    assertThat(metric(ops, "cordon_caep_events_pending{receiver=\"soc\",service=\"caep\"}")).isZero();
                });
                assertThat(http.send(HttpRequest.newBuilder(ops.resolve("/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                assertThat(http.send(HttpRequest.newBuilder(ops.resolve("/health/live")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            }
        }
    }

    private double metric(URI ops, String series) throws Exception {
        String body = http.send(HttpRequest.newBuilder(ops.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series + " in the scrape");
    }

    private static String jti(String jws) {
        try {
            return SignedJWT.parse(jws).getJWTClaimsSet().getJWTID();
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
