package dev.cordon.enforcement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.CommandKind;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.ImpactKind;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.schemas.Topic;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.testkit.CordonCluster;
import dev.cordon.testkit.WithCordonCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The multicast + sweep path on a real broker (DESIGN.md "Scaling rule"): sessions on every partition, one
 * directive, exactly one REVOKE per covered session (read_committed), and one aggregated impact report. The broker
 * and registry come from {@link WithCordonCluster} (Testcontainers or the embedded stack); the topics, under a
 * prefix of this test, are created here with {@value #PARTITIONS} session partitions.
 */
@WithCordonCluster
@Tag("integration")
class EnforcementAppIntegrationTest {
    private static final int PARTITIONS = 4;
    private static final int SESSIONS = 40;

    @Test
    @Timeout(240)
    void shouldRevokeEveryCoveredSessionOnEveryPartitionExactlyOnceAndReportAggregateImpact(CordonCluster cluster) throws Exception {
        Path stateDir = Files.createTempDirectory("enforcement-it");
        String prefix = "enforcement-it-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        cluster.createTopics(prefix, PARTITIONS);
        Map<String, Object> cfg = new HashMap<>(cluster.clientConfig());
        cfg.put(EnforcementConfig.TOPIC_PREFIX_CONFIG, prefix);
        cfg.put(EnforcementConfig.SESSION_PARTITIONS_CONFIG, PARTITIONS);
        cfg.put(EnforcementConfig.SIGNATURES_REQUIRED_CONFIG, false); // produces unsigned changes straight to the topic
        cfg.put(EnforcementConfig.STATE_DIR_CONFIG, stateDir.toString());
        cfg.put("ops.enabled", true);
        cfg.put("ops.port", 0);
        cfg.put(EnforcementConfig.APPLICATION_ID_CONFIG, "cordon-enforcement-it-" + UUID.randomUUID().toString().substring(0, 8));
        TopicCatalogue topics = TopicCatalogue.create(prefix, Map.of("schema.registry.url", cluster.schemaRegistryUrl()));

        try (EnforcementApp app = EnforcementApp.start(new EnforcementConfig(cfg));
             KafkaProducer<String, SessionEvent> sessions = TestClients.producer(cluster, topics.sessionEvents());
             KafkaProducer<String, DirectiveChange> directives = TestClients.producer(cluster, topics.directiveChanges());
             KafkaConsumer<String, AuditEvent> audit = TestClients.consumer(cluster, topics.auditLog());
             KafkaConsumer<String, RevocationCommand> commands = TestClients.consumer(cluster, topics.revocationCommands());
             KafkaConsumer<String, DirectiveImpact> impacts = TestClients.consumer(cluster, topics.directiveImpacts())) {
            await("enforcement running with every task").atMost(Duration.ofSeconds(90)).until(app::isRunning);

            // Given 40 live sessions, half of them foreign nationals on fable-5, spread over all partitions
            Set<String> covered = new TreeSet<>();
            for (int i = 0; i < SESSIONS; i++) {
                String id = String.format("s-%02d", i);
                String nationality = i % 2 == 0 ? "DE" : "US";
                if (i % 2 == 0) {
                    covered.add(id);
                }
                sessions.send(new ProducerRecord<>(topics.sessionEvents().name(), id, SessionEvent.newBuilder()
                        .setSessionId(id).setType(SessionEventType.STARTED).setResource("fable-5").setGatewayId("gw-1")
                        .setOccurredAt(Instant.now())
                        .setSubject(Harness.subject("u-" + id, List.of(nationality), List.of("customer"))).build()));
            }
            sessions.flush();
            List<AuditEvent> audited = new ArrayList<>();
            await("every session started").atMost(Duration.ofSeconds(60)).until(() -> {
                audit.poll(Duration.ofMillis(200)).forEach(r -> audited.add(r.value()));
                return audited.stream().filter(a -> a.getType() == AuditEventType.SESSION_STARTED).count() == SESSIONS;
            });

            // When one directive is issued
            Instant now = Instant.now();
            DirectiveChange change = DirectiveChange.newBuilder()
                    .setChangeId(UUID.randomUUID().toString()).setDirectiveId("BIS-1").setRevision(1)
                    .setAction(DirectiveAction.RESTRICT).setMode(DirectiveMode.ENFORCE)
                    .setEnforcement(EnforcementKind.REVOKE_AND_DENY).setIssuer("us-bis").setLegalBasis("15 CFR 744.23")
                    .setReason("it").setEffectiveFrom(now).setEffectiveUntil(null).setAcceptedAt(now)
                    .setScope(Harness.foreignNationals()).build();
            directives.send(new ProducerRecord<>(topics.directiveChanges().name(), "BIS-1", change)).get();

            // Then the aggregated impact report appears, combining all 4 partitions
            List<DirectiveImpact> reports = new ArrayList<>();
            List<ConsumerRecord<String, RevocationCommand>> received = new ArrayList<>();
            await("aggregate impact").atMost(Duration.ofSeconds(60)).until(() -> {
                impacts.poll(Duration.ofMillis(200)).forEach(r -> reports.add(r.value()));
                commands.poll(Duration.ZERO).forEach(received::add);
                return reports.stream().anyMatch(r -> r.getKind() == ImpactKind.AGGREGATE);
            });
            DirectiveImpact aggregate = reports.stream().filter(r -> r.getKind() == ImpactKind.AGGREGATE).findFirst().orElseThrow();
            assertThat(aggregate.getPartitionsReported()).isEqualTo(PARTITIONS);
            assertThat(aggregate.getPartitionCount()).isEqualTo(PARTITIONS);
            assertThat(aggregate.getCovered()).isEqualTo(covered.size());
            assertThat(aggregate.getRevoked()).isEqualTo(covered.size());
            assertThat(reports.stream().filter(r -> r.getKind() == ImpactKind.PARTIAL).map(DirectiveImpact::getPartition)
                    .collect(Collectors.toSet())).containsExactlyInAnyOrder(0, 1, 2, 3);

            // And every covered session got exactly one REVOKE (read_committed), on every partition
            await("pipeline idle").atMost(Duration.ofSeconds(30)).until(() -> {
                commands.poll(Duration.ofMillis(200)).forEach(received::add);
                return app.isIdle() && received.size() >= covered.size();
            });
            commands.poll(Duration.ofMillis(500)).forEach(received::add);
            assertThat(received).allSatisfy(r -> {
                assertThat(r.value().getKind()).isEqualTo(CommandKind.REVOKE);
                assertThat(r.value().getAttempt()).isEqualTo(1);
                assertThat(r.value().getDirectiveId()).isEqualTo("BIS-1");
            });
            assertThat(received).extracting(ConsumerRecord::key).containsExactlyInAnyOrderElementsOf(covered);
            assertThat(received.stream().map(ConsumerRecord::partition).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder(0, 1, 2, 3);

            // And the metrics endpoint counts the revocations, the directive's time to last revocation and the live sessions,
            // and reports ready (issue 7 §4)
            java.net.URI ops = app.opsUri().orElseThrow();
            var http = java.net.http.HttpClient.newHttpClient();
            String metrics = http.send(java.net.http.HttpRequest.newBuilder(ops.resolve("/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics)
                    .containsPattern("cordon_enforcement_commands_total\\{[^}]*kind=\"REVOKE\"[^}]*} " + covered.size() + "\\.0")
                    .containsPattern("cordon_enforcement_directive_revocation_latency_seconds_count\\{[^}]*} 1(\\.0)?\\b")
                    // the uncovered half is still live; the revoked half is not
                    .containsPattern("cordon_enforcement_sessions_active(\\{[^}]*})? " + (SESSIONS - covered.size()) + "\\.0")
                    .contains("cordon_streams_running");
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(ops.resolve("/health/ready")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }
}
