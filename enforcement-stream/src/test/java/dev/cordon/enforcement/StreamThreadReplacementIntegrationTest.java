package dev.cordon.enforcement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.CommandKind;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.schemas.Topic;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.testkit.CordonCluster;
import dev.cordon.testkit.WithCordonCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3 §3: "no stream thread dies (and a thread that does die is replaced, with health reporting it)", inside the
 * running {@link EnforcementApp}. The thread is killed the way production would kill it: the schema registry answers
 * 503 while a session event needs its writer schema fetched. Cordon classifies that as environmental
 * ({@code DecodeFailures.isEnvironmental}): the record is not the problem, so it is not dead-lettered; the task fails
 * and with it the stream thread, which the uncaught-exception handler replaces ({@code REPLACE_THREAD}). The app talks
 * to the cluster's registry through a proxy of this test that can be switched to answer 503.
 */
@WithCordonCluster
@Tag("integration")
class StreamThreadReplacementIntegrationTest {
    private static final int PARTITIONS = 2;

    @Test
    @Timeout(240)
    void shouldReplaceAStreamThreadKilledByARegistryOutageKeepEnforcingAndReportTheReplacementInHealth(CordonCluster cluster)
            throws Exception {
        String prefix = "thread-death-it-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        cluster.createTopics(prefix, PARTITIONS);
        TopicCatalogue topics = TopicCatalogue.create(prefix, Map.of("schema.registry.url", cluster.schemaRegistryUrl()));
        try (RegistryProxy registry = RegistryProxy.start(cluster.schemaRegistryUrl())) {
            Map<String, Object> cfg = new HashMap<>(cluster.clientConfig());
            cfg.put(EnforcementConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url());
            cfg.put(EnforcementConfig.TOPIC_PREFIX_CONFIG, prefix);
            cfg.put(EnforcementConfig.SESSION_PARTITIONS_CONFIG, PARTITIONS);
            cfg.put(EnforcementConfig.SIGNATURES_REQUIRED_CONFIG, false); // produces unsigned changes straight to the topic
            cfg.put(EnforcementConfig.STATE_DIR_CONFIG, Files.createTempDirectory("thread-death-it").toString());
            cfg.put(EnforcementConfig.APPLICATION_ID_CONFIG, "cordon-thread-death-it-" + UUID.randomUUID().toString().substring(0, 8));
            cfg.put("ops.enabled", true);
            cfg.put("ops.port", 0);

            try (EnforcementApp app = EnforcementApp.start(new EnforcementConfig(cfg));
                 KafkaProducer<String, SessionEvent> sessions = TestClients.producer(cluster, topics.sessionEvents());
                 KafkaProducer<String, DirectiveChange> directives = TestClients.producer(cluster, topics.directiveChanges());
                 KafkaConsumer<String, RevocationCommand> commands = TestClients.consumer(cluster, topics.revocationCommands());
                 KafkaConsumer<String, AuditEvent> audit = TestClients.consumer(cluster, topics.auditLog())) {
                await("enforcement running with every task").atMost(Duration.ofSeconds(90)).until(app::isRunning);
                Set<String> threadsBefore = threadNames(app);
                assertThat(app.health().threadsReplaced()).isZero();

                // Given a directive in force covering foreign nationals on fable-5, received by every session task
                Instant now = Instant.now();
                directives.send(new ProducerRecord<>(topics.directiveChanges().name(), "BIS-T", DirectiveChange.newBuilder()
                        .setChangeId(UUID.randomUUID().toString()).setDirectiveId("BIS-T").setRevision(1)
                        .setAction(DirectiveAction.RESTRICT).setMode(DirectiveMode.ENFORCE)
                        .setEnforcement(EnforcementKind.REVOKE_AND_DENY).setIssuer("us-bis").setLegalBasis("15 CFR 744.23")
                        .setReason("it").setEffectiveFrom(now).setEffectiveUntil(null).setAcceptedAt(now)
                        .setScope(Harness.foreignNationals()).build())).get();
                List<AuditEvent> audited = new ArrayList<>();
                await("directive applied").atMost(Duration.ofSeconds(60)).until(() -> {
                    audit.poll(Duration.ofMillis(200)).forEach(r -> audited.add(r.value()));
                    return audited.stream().filter(a -> a.getType() == AuditEventType.DIRECTIVE_RECEIVED).count() >= PARTITIONS
                            && app.isIdle();
                });

                // When the registry answers 503 while the first session event needs its writer schema
                registry.failing(true);
                sessions.send(new ProducerRecord<>(topics.sessionEvents().name(), "s-during", started("s-during"))).get();
                await("a stream thread died and was replaced").atMost(Duration.ofSeconds(60))
                        .until(() -> app.health().threadsReplaced() >= 1);
                registry.failing(false);

                // Then the thread was replaced: processing goes on, the event that killed it is not lost, and a covered
                // session started after the outage is denied
                sessions.send(new ProducerRecord<>(topics.sessionEvents().name(), "s-after", started("s-after"))).get();
                List<RevocationCommand> received = new ArrayList<>();
                await("both covered sessions denied").atMost(Duration.ofSeconds(90)).until(() -> {
                    commands.poll(Duration.ofMillis(200)).forEach(r -> received.add(r.value()));
                    return received.size() >= 2;
                });
                assertThat(received).extracting(RevocationCommand::getSessionId).containsExactlyInAnyOrder("s-during", "s-after");
                assertThat(received).allSatisfy(c -> {
                    assertThat(c.getKind()).isEqualTo(CommandKind.DENY);
                    assertThat(c.getDirectiveId()).isEqualTo("BIS-T");
                });
                assertThat(threadNames(app)).as("live stream threads are new ones").doesNotContainAnyElementsOf(threadsBefore);

                // And health reports the replacement, while the service is healthy, live and ready (once the rebalance
                // that gave the new thread its tasks has settled: it may still run while the new thread processes)
                await("running again after the rebalance").atMost(Duration.ofSeconds(60))
                        .until(() -> app.health().state() == KafkaStreams.State.RUNNING);
                EnforcementApp.Health health = app.health();
                assertThat(health.threadsReplaced()).isGreaterThanOrEqualTo(1);
                assertThat(health.lastThreadFailure()).contains("SchemaRegistryException").contains("503");
                assertThat(health.state()).isEqualTo(KafkaStreams.State.RUNNING);
                assertThat(health.liveThreads()).isEqualTo(1);
                assertThat(health.healthy()).isTrue();
                URI ops = app.opsUri().orElseThrow();
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(ops.resolve("/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ready.statusCode()).isEqualTo(200);
                assertThat(ready.body()).contains(EnforcementApp.THREAD_REPLACEMENT_CHECK)
                        .contains("died and were replaced").contains("503");
                assertThat(http.send(HttpRequest.newBuilder(ops.resolve("/health/live")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                // And the record that hit the outage was never dead-lettered or refused as unreadable
                audit.poll(Duration.ofMillis(500)).forEach(r -> audited.add(r.value()));
                assertThat(audited).noneMatch(a -> a.getType() == AuditEventType.INPUT_UNREADABLE);
            }
        }
    }

    private static SessionEvent started(String id) {
        return SessionEvent.newBuilder().setSessionId(id).setType(SessionEventType.STARTED).setResource("fable-5")
                .setGatewayId("gw-1").setOccurredAt(Instant.now())
                .setSubject(Harness.subject("u-" + id, List.of("DE"), List.of("customer"))).build();
    }

    private static Set<String> threadNames(EnforcementApp app) {
        return app.streams().metadataForLocalThreads().stream().map(ThreadMetadata::threadName).collect(Collectors.toSet());
    }

    /** Forwards the registry's REST API to {@code target}, or answers 503 (as a registry outage does) while failing. */
    private static final class RegistryProxy implements AutoCloseable {
        private final HttpServer server;
        private final AtomicBoolean failing = new AtomicBoolean();

        private RegistryProxy(HttpServer server) {
            this.server = server;
        }

        static RegistryProxy start(String target) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            RegistryProxy proxy = new RegistryProxy(server);
            HttpClient client = HttpClient.newHttpClient();
            URI base = URI.create(target.endsWith("/") ? target.substring(0, target.length() - 1) : target);
            server.createContext("/", exchange -> {
                try (exchange) {
                    if (proxy.failing.get()) {
                        reply(exchange, 503, "{\"error_code\":50301,\"message\":\"registry outage (test)\"}");
                        return;
                    }
                    byte[] body;
                    try (InputStream in = exchange.getRequestBody()) {
                        body = in.readAllBytes();
                    }
                    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + exchange.getRequestURI().toString()))
                            .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
                    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
                    if (contentType != null) {
                        request.header("Content-Type", contentType);
                    }
                    try {
                        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                        reply(exchange, response.statusCode(), response.body());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        reply(exchange, 502, "{\"error_code\":50200,\"message\":\"interrupted\"}");
                    }
                }
            });
            server.start();
            return proxy;
        }

        private static void reply(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void failing(boolean fail) {
            failing.set(fail);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
