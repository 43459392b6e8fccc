package dev.cordon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cordon.avro.ConditionGroup;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.Scope;
import dev.cordon.cli.internal.JsonForms;
import dev.cordon.cli.internal.LocalPipeline;
import dev.cordon.enforcement.EnforcementSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6 §4 end to end: a directive written straight into directive-changes — bypassing ingest, its
 * authentication, four-eyes and signature — revokes nothing on the real pipeline; the same order through
 * ingest does.
 */
@Tag("integration")
@Timeout(180)
class ForgedDirectiveTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void shouldRevokeNothingForADirectiveWrittenStraightToTheTopic() throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(
                new LocalPipeline.Options(null, 4, EnforcementSettings.defaults()), MAPPER, Duration.ofSeconds(90))) {
            // Given a live session of a foreign national on fable-5
            pipeline.sendSession(JsonForms.sessionEvent(MAPPER.readTree("""
                    {"sessionId": "s1", "type": "STARTED", "resource": "fable-5", "gatewayId": "gw-1",
                     "occurredAt": "%s", "subject": {"userId": "u1", "nationality": ["DE"]}}""".formatted(Instant.now()))));
            pipeline.awaitIdle(Duration.ofSeconds(60));

            // When someone with write access to Kafka produces an unsigned order covering everyone on fable-5
            DirectiveChange forged = DirectiveChange.newBuilder()
                    .setChangeId(UUID.randomUUID().toString()).setDirectiveId("FORGED-1").setRevision(1)
                    .setAction(DirectiveAction.RESTRICT).setMode(DirectiveMode.ENFORCE).setEnforcement(EnforcementKind.REVOKE_AND_DENY)
                    .setIssuer("mallory").setLegalBasis("none").setReason("injected").setEffectiveFrom(Instant.now())
                    .setScope(Scope.newBuilder().setResources(List.of("fable-5")).setSubjects(List.<ConditionGroup>of()).build())
                    .setAcceptedAt(Instant.now()).build();
            Map<String, Object> props = new HashMap<>(pipeline.stack().clientConfig());
            try (KafkaProducer<String, DirectiveChange> producer = new KafkaProducer<>(props,
                    pipeline.topics().directiveChanges().keySerde().serializer(),
                    pipeline.topics().directiveChanges().valueSerde().serializer())) {
                producer.send(new ProducerRecord<>(pipeline.topics().directiveChanges().name(), "FORGED-1", forged)).get();
            }
            pipeline.awaitIdle(Duration.ofSeconds(60));

            // Then nothing is revoked
            assertThat(pipeline.readCommands()).isEmpty();

            // And the same order issued through ingest (signed, approved) does revoke the session
            var doc = MAPPER.readTree("""
                    {"directiveId": "BIS-1", "revision": 1, "action": "RESTRICT", "issuer": "us-bis", "legalBasis": "l",
                     "reason": "r", "breakGlass": true, "scope": {"resources": ["fable-5"]}}""");
            assertThat(pipeline.ingest().issue(doc).status()).isEqualTo(202);
            LocalPipeline.await("the signed order's revocation", Duration.ofSeconds(60), () -> !pipeline.readCommands().isEmpty());
            List<RevocationCommand> commands = pipeline.readCommands();
            assertThat(commands).extracting(c -> c.getKind() + " " + c.getSessionId() + " " + c.getDirectiveId())
                    .containsExactly("REVOKE s1 BIS-1");
        }
    }
}
