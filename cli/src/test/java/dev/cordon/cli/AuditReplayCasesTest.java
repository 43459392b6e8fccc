package dev.cordon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.tools.DatabaseTrail;
import dev.cordon.audit.tools.Replay;
import dev.cordon.audit.tools.Why;
import dev.cordon.avro.CommandKind;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.cli.internal.LocalPipeline;
import dev.cordon.cli.internal.ScenarioFile;
import dev.cordon.cli.internal.ScenarioRunner;
import dev.cordon.enforcement.EnforcementSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code cordon audit replay --as-of} and {@code why} against what the pipeline really did (issue 4, "replay agrees
 * with the reference of what the pipeline did, for the shared cases"): four representative shared cases are played
 * through {@link LocalPipeline} + {@link ScenarioRunner}; then, from the audit log in PostgreSQL alone, the replay at
 * the end must name as cut exactly the sessions that got a REVOKE and as denied exactly those that got a DENY (each
 * with the directive revision of its first command), and as in force exactly the directive revisions the case
 * leaves in force. Cases: amendment (p02), lift (p03), expiry (p05), exemption (p06).
 */
@Tag("integration")
class AuditReplayCasesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What the pipeline did, and what the audit tools say from the log. */
    private record Played(List<RevocationCommand> commands, Replay.Result replay, Map<String, ObjectNode> why) {
    }

    private static Played play(String caseName, String... whySessions) throws Exception {
        Path file = Path.of("..", "cases", caseName + ".jsonl").toAbsolutePath().normalize();
        ScenarioFile scenario = ScenarioFile.read(file, MAPPER);
        try (LocalPipeline pipeline = LocalPipeline.start(
                new LocalPipeline.Options(null, 4, EnforcementSettings.defaults()), MAPPER, Duration.ofSeconds(90))) {
            ScenarioRunner.Result result = new ScenarioRunner(MAPPER, new PrintWriter(new StringWriter()),
                    new PrintWriter(new StringWriter())).run(scenario, pipeline);
            assertThat(result.audit().ok()).as("audit chain: %s", result.audit()).isTrue(); // the sink caught up
            Replay.Result replay;
            try (DatabaseTrail trail = DatabaseTrail.open(pipeline.stack().postgresDataSource())) {
                replay = Replay.asOf(trail.entries(), Instant.now());
            }
            Map<String, ObjectNode> why = new HashMap<>();
            for (String s : whySessions) {
                try (DatabaseTrail trail = DatabaseTrail.open(pipeline.stack().postgresDataSource())) {
                    why.put(s, Why.explain(trail, s));
                }
            }
            return new Played(result.commands(), replay, why);
        }
    }

    /** Sessions by status from the replay: the first command of each session decides CUT (REVOKE) or DENIED. */
    private static void assertReplayNamesExactlyTheCommandedSessions(Played p) {
        Map<String, String> expected = new TreeMap<>();
        for (RevocationCommand c : p.commands()) {
            expected.putIfAbsent(c.getSessionId(), (c.getKind() == CommandKind.DENY ? "DENIED" : "CUT") + " "
                    + c.getDirectiveId() + "#" + c.getDirectiveRevision());
        }
        Map<String, String> replayed = new TreeMap<>();
        for (Replay.SessionAt s : p.replay().sessions()) {
            if (s.cutBy() != null) {
                String status = s.status().equals("DENIED") || s.status().equals("CUT") ? s.status() : "?" + s.status();
                replayed.put(s.sessionId(), status + " " + s.cutBy());
            }
        }
        assertThat(replayed).as("sessions the replay names cut/denied, vs the commands the pipeline printed")
                .isEqualTo(expected);
    }

    private static Set<String> inForce(Played p) {
        return p.replay().directives().stream().filter(Replay.DirectiveAt::inForce)
                .map(d -> d.directiveId() + "#" + d.revision()).collect(Collectors.toSet());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldReplayTheAmendmentAndExplainEachRevisionThatCoveredASession() throws Exception {
        // Given / When p02: BIS-1 r1 (nationality NOT_IN [US]) then r2 (everyone) on fable-5 / mythos-5
        Played p = play("p02-amend-to-everyone", "s1", "s2", "s4");

        // Then the replay agrees with the pipeline, and r2 is what is in force
        assertReplayNamesExactlyTheCommandedSessions(p);
        assertThat(inForce(p)).containsExactly("BIS-1#2");
        assertThat(p.replay().withStatus("ACTIVE")).extracting(Replay.SessionAt::sessionId).containsExactly("s4");

        // and why s1 (DE, cut by r1): r1 with its group scope.subjects[0], and r2 (everyone) which found it cut
        JsonNode s1 = p.why().get("s1");
        assertThat(s1.path("status").asText()).isEqualTo("CUT");
        assertThat(s1.path("directiveRevisions")).hasSize(2);
        JsonNode r1 = s1.path("directiveRevisions").get(0);
        assertThat(r1.path("revision").asInt()).isEqualTo(1);
        assertThat(r1.path("coverage").asText()).isEqualTo("COVERED");
        assertThat(r1.path("matchedGroup").asText()).isEqualTo("scope.subjects[0]");
        assertThat(r1.path("matched").asText()).isEqualTo("nationality NOT_IN [US]");
        assertThat(r1.path("commandEntries")).hasSize(1);
        JsonNode r2 = s1.path("directiveRevisions").get(1);
        assertThat(r2.path("revision").asInt()).isEqualTo(2);
        assertThat(r2.path("coverage").asText()).isEqualTo("COVERED");
        assertThat(r2.path("matched").asText()).isEqualTo("*");
        assertThat(r2.path("reason").asText()).contains("already cut");
        assertThat(r2.path("commandEntries")).isEmpty();

        // and why s2 (US, live through r1's sweep, cut by r2): only r2 covered it
        JsonNode s2 = p.why().get("s2");
        assertThat(s2.path("directiveRevisions")).singleElement().satisfies(r -> {
            assertThat(r.path("revision").asInt()).isEqualTo(2);
            assertThat(r.path("matchedGroup").asText()).startsWith("everyone");
        });
        // and s4 (haiku-4, out of scope): none
        assertThat(p.why().get("s4").path("directiveRevisions")).isEmpty();
        for (JsonNode proof : s1.path("entries")) {
            assertThat(proof.path("kind").asText()).as("every entry of the explanation is proven")
                    .isEqualTo("cordon-inclusion-proof");
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldReplayALiftedDirectiveAsNoLongerInForceWhileTheCutSessionStaysCut() throws Exception {
        Played p = play("p03-lift");

        assertReplayNamesExactlyTheCommandedSessions(p);
        assertThat(inForce(p)).isEmpty();
        assertThat(p.replay().directives()).singleElement()
                .satisfies(d -> assertThat(d.action() + "#" + d.revision()).isEqualTo("LIFT#2"));
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldReplayAnExpiredDirectiveAsNoLongerInForce() throws Exception {
        Played p = play("p05-expiry");

        assertReplayNamesExactlyTheCommandedSessions(p);
        assertThat(inForce(p)).isEmpty();
        assertThat(p.replay().directives()).singleElement().satisfies(d -> assertThat(d.effectiveUntil()).isNotNull());
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void shouldReplayADirectiveWithExemptionsAsInForceAndLeaveTheExemptSessionsActive() throws Exception {
        Played p = play("p06-exempt-employees");

        assertReplayNamesExactlyTheCommandedSessions(p);
        assertThat(inForce(p)).containsExactly("BIS-1#1");
    }
}
