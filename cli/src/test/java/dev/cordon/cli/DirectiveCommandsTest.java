package dev.cordon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cordon.cli.internal.JsonForms;
import dev.cordon.cli.internal.LocalPipeline;
import dev.cordon.enforcement.EnforcementSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cordon directive …} against the whole pipeline on the embedded stack: preview over live sessions,
 * four-eyes issue/approve, status with revocations, lift — each through the real ingest API.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DirectiveCommandsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static LocalPipeline pipeline;
    @TempDir
    static Path dir;
    private static Path issuerToken;
    private static Path approverToken;

    @BeforeAll
    static void start() throws Exception {
        pipeline = LocalPipeline.start(new LocalPipeline.Options(null, 2, EnforcementSettings.defaults()), MAPPER, Duration.ofSeconds(90));
        issuerToken = Files.writeString(dir.resolve("issuer.token"), pipeline.ingest().bearerToken());
        approverToken = Files.writeString(dir.resolve("approver.token"), pipeline.approver().bearerToken());
        for (String id : List.of("de-1", "de-2", "us-1")) {
            pipeline.sendSession(JsonForms.sessionEvent((com.fasterxml.jackson.databind.node.ObjectNode) MAPPER.readTree("""
                    {"sessionId": "%s", "type": "STARTED", "resource": "fable-5", "gatewayId": "gw-1", "occurredAt": "%s",
                     "subject": {"userId": "u-%s", "nationality": ["%s"], "role": ["customer"]}}
                    """.formatted(id, Instant.now(), id, id.startsWith("us") ? "US" : "DE"))));
        }
        pipeline.awaitIdle(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private static CliRun cordon(Path token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", pipeline.ingestUri().toString(), "--token-file", token.toString()));
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    void shouldPreviewIssueApproveShowAndLiftADirectiveFromTheCommandLine() throws Exception {
        // Given a YAML document restricting fable-5 for non-US nationals
        Path yaml = Files.writeString(dir.resolve("bis.yaml"), """
                directiveId: CLI-1
                revision: 1
                action: RESTRICT
                issuer: us-bis
                legalBasis: 15 CFR 744.23
                reason: CLI test
                scope:
                  resources: [fable-5]
                  subjects:
                    - all: [{attribute: nationality, op: NOT_IN, values: [US]}]
                """);
        // When it is previewed, Then it would cover the two DE sessions, not the US one
        CliRun preview = cordon(issuerToken, "directive", "preview", "-f", yaml.toString());
        assertThat(preview.exit()).as(preview.err()).isZero();
        assertThat(preview.out()).contains("CLI-1 revision 1 would cover 2 live sessions now").contains("DE");
        // When it is issued, Then it waits for approval
        CliRun issued = cordon(issuerToken, "directive", "issue", "-f", yaml.toString());
        assertThat(issued.exit()).as(issued.err()).isZero();
        assertThat(issued.out()).contains("PENDING_APPROVAL").contains("cordon directive approve CLI-1 1");
        // and the issuer may not approve it (no approver role), the approver may
        CliRun self = cordon(issuerToken, "directive", "approve", "CLI-1", "1");
        assertThat(self.exit()).isEqualTo(1);
        assertThat(self.err()).contains("403");
        CliRun approved = cordon(approverToken, "directive", "approve", "CLI-1", "1", "--comment", "ok", "--output", "json");
        assertThat(approved.exit()).as(approved.err()).isZero();
        assertThat(MAPPER.readTree(approved.out()).get("status").asText()).isEqualTo("APPROVED");
        // Then status shows the approval and, once enforced, the two revocations
        await("two sessions revoked, as status shows").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            CliRun status = cordon(approverToken, "directive", "status", "CLI-1", "--output", "json");
            assertThat(status.exit()).as(status.err()).isZero();
            JsonNode s = MAPPER.readTree(status.out());
            assertThat(s.get("status").asText()).isEqualTo("IN_FORCE");
            assertThat(s.get("revisions").get(0).get("approvedBy").asText()).isEqualTo(LocalPipeline.APPROVER_PRINCIPAL);
            assertThat(s.get("sessions").get("revoked").asLong()).isEqualTo(2);
        });
        CliRun table = cordon(issuerToken, "directive", "status", "CLI-1");
        assertThat(table.out()).contains("IN_FORCE").contains("approved by approver").contains("REVOKED");
        // When it is lifted (no approval needed), Then it is accepted
        CliRun lift = cordon(issuerToken, "directive", "lift", "CLI-1", "--revision", "2", "--issuer", "us-bis", "--reason", "over");
        assertThat(lift.exit()).as(lift.err()).isZero();
        assertThat(lift.out()).contains("ACCEPTED");
        // and a malformed document is refused naming the field, exit 1
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"directiveId\": \"CLI-2\", \"action\": \"RESTRICT\", \"issuer\": \"x\", "
                + "\"legalBasis\": \"y\", \"reason\": \"z\", \"scope\": {\"resources\": [\"fable-5\"], \"subjects\": "
                + "[{\"all\": [{\"attribute\": \"nationality\", \"op\": \"IN\", \"values\": [\"UK\"]}]}]}}");
        CliRun refused = cordon(issuerToken, "directive", "issue", "-f", bad.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("did you mean `GB`?");
    }
}
