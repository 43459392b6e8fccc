package dev.cordon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.avro.CommandKind;
import dev.cordon.avro.RevocationCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

class DemoCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ObjectNode session(String id, String resource, String nationality) {
        ObjectNode s = MAPPER.createObjectNode();
        s.put("sessionId", id);
        s.put("resource", resource);
        s.putObject("subject").putArray("nationality").add(nationality);
        return s;
    }

    private static RevocationCommand cmd(String sessionId, CommandKind kind, int revision, int attempt) {
        return RevocationCommand.newBuilder().setCommandId(sessionId + kind + attempt).setKind(kind).setAttempt(attempt)
                .setSessionId(sessionId).setUserId("u").setResource("fable-5").setGatewayId("gw").setDirectiveId(DemoCommand.DIRECTIVE_ID)
                .setDirectiveRevision(revision).setMatched("*").setIssuedAt(Instant.EPOCH).build();
    }

    private static Map<Integer, JsonNode> documents() throws Exception {
        String scope1 = "{\"resources\": [\"fable-5\", \"mythos-5\"], \"subjects\": [{\"all\": [{\"attribute\": \"nationality\", \"op\": \"NOT_IN\", \"values\": [\"US\"]}]}]}";
        String scope2 = "{\"resources\": [\"fable-5\", \"mythos-5\"], \"subjects\": []}";
        return Map.of(1, MAPPER.readTree("{\"scope\": " + scope1 + "}"), 2, MAPPER.readTree("{\"scope\": " + scope2 + "}"));
    }

    private static Map<String, DemoCommand.Sent> sent(long ackNanos) {
        return Map.of(
                "de", new DemoCommand.Sent("de", session("de", "fable-5", "DE"), ackNanos),
                "us", new DemoCommand.Sent("us", session("us", "mythos-5", "US"), ackNanos),
                "other", new DemoCommand.Sent("other", session("other", "haiku-4", "DE"), ackNanos));
    }

    @Test
    void shouldPassTheChecksWhenEachCoveredSessionIsCutOnceByACoveringRevision() throws Exception {
        List<String> failures = DemoCommand.check(List.of(cmd("de", CommandKind.REVOKE, 1, 1), cmd("us", CommandKind.DENY, 2, 1)),
                sent(0), documents(), 10);
        assertThat(failures).isEmpty();
    }

    @Test
    void shouldFailTheChecksForAMissingCutADoubleCutAndAnUncoveredCut() throws Exception {
        List<String> failures = DemoCommand.check(List.of(
                        cmd("de", CommandKind.REVOKE, 1, 1), cmd("de", CommandKind.DENY, 1, 1), cmd("other", CommandKind.REVOKE, 2, 1)),
                sent(0), documents(), 10);
        assertThat(failures).anyMatch(f -> f.contains("de cut twice"))
                .anyMatch(f -> f.contains("covered session us was never cut"))
                .anyMatch(f -> f.contains("uncovered session other was cut"));
    }

    @Test
    void shouldFailTheChecksWhenARevisionThatDoesNotCoverTheSessionCutsIt() throws Exception {
        List<String> failures = DemoCommand.check(List.of(cmd("de", CommandKind.REVOKE, 1, 1), cmd("us", CommandKind.REVOKE, 1, 1)),
                sent(0), documents(), 10);
        assertThat(failures).containsExactly("session us cut by revision 1 which does not cover it");
    }

    @Test
    void shouldFailTheChecksWhenASessionLiveBeforePhaseOneIsCutOnlyByPhaseTwo() throws Exception {
        List<String> failures = DemoCommand.check(List.of(cmd("de", CommandKind.REVOKE, 2, 1), cmd("us", CommandKind.REVOKE, 2, 1)),
                sent(0), documents(), 10);
        assertThat(failures).containsExactly("session de was live before phase 1 and covered by it, but was cut by revision 2");
    }

    @Test
    @Tag("integration")
    @Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
    void shouldRunTheDemoToASuccessfulEndOnTheEmbeddedStack() {
        // When the demo runs on a smaller workload
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Cordon.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("demo", "--sessions", "2000", "--arrivals-per-second", "100", "--session-partitions", "4");
        // Then it exits 0 with its checks and the audit chain verified
        assertThat(exit).as("stdout:%n%s%nstderr:%n%s", out, err).isZero();
        assertThat(out.toString()).contains("checks: OK").contains("audit chain: verified").contains("phase 1").contains("phase 2");
    }

    @Test
    void shouldFailTheCheckWhenASweepCountsAsCoveredMoreLiveSessionsThanItRevoked() {
        assertThat(DemoCommand.sweepCheck(2, 5_870, 3_566)).contains("revision 2's sweep covered 5870 live sessions but revoked 3566");
        assertThat(DemoCommand.sweepCheck(1, 2_158, 2_158)).isEmpty();
    }
}
