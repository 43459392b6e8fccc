package dev.cordon.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cordon.avro.Condition;
import dev.cordon.avro.ConditionGroup;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.Scope;
import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the scenario files of the repository's cases/ directory (the shared cases and ours) through the topology on TopologyTestDriver —
 * the wall clock stepping 10 ms at a time from time 0, directives produced as ingest would publish them
 * (defaults applied, effectiveFrom = acceptance time when absent) — and compares the REVOKE/DENY commands
 * with *.expected.json as a multiset, as the scenario runner does. Ingest-side refusals (e.g. p12's stale
 * revision, refused with 409) are delivered anyway here: the stream must ignore them too.
 */
class ScenarioCasesTest {
    private static final Path CASES = Path.of("..", "cases");
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> cases() throws IOException {
        if (!Files.isDirectory(CASES)) {
            throw new IllegalStateException("no cases directory at " + CASES.toAbsolutePath());
        }
        try (Stream<Path> files = Files.list(CASES)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsonl")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldPrintExactlyTheExpectedCommands(String file) throws IOException {
        // Given the timeline
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(CASES.resolve(file))) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        JsonNode expected = JSON.readTree(CASES.resolve(file.replace(".jsonl", ".expected.json")).toFile());

        try (Harness h = new Harness()) {
            // When it is played at its times
            long clock = 0;
            long last = 0;
            for (JsonNode line : lines) {
                long at = line.get("atMs").asLong();
                h.advanceInSteps(at - clock, 10);
                clock = Math.max(clock, at);
                last = at;
                if (line.has("session")) {
                    h.send(session(line.get("session")));
                } else {
                    h.send(directive(line.get("directive"), h.now()));
                }
            }
            h.advanceInSteps(last + 5000 - clock, 10);

            // Then the printed commands are exactly the expected ones
            List<String> actual = h.drainCommands();
            List<String> wanted = new ArrayList<>();
            expected.get("commands").forEach(c -> wanted.add(c.get("kind").asText() + " " + c.get("sessionId").asText() + " "
                    + c.get("directiveId").asText() + " " + c.get("attempt").asInt()));
            assertThat(actual).as(expected.path("title").asText()).containsExactlyInAnyOrderElementsOf(wanted);
        }
    }

    private static Instant time(JsonNode node) {
        String text = node.asText();
        if (text.startsWith("+") && text.endsWith("ms")) {
            return Harness.T0.plusMillis(Long.parseLong(text.substring(1, text.length() - 2)));
        }
        return Instant.parse(text);
    }

    private static SessionEvent session(JsonNode s) {
        JsonNode sub = s.get("subject");
        Map<String, String> attributes = new HashMap<>();
        sub.path("attributes").fields().forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
        Subject subject = Subject.newBuilder().setUserId(sub.get("userId").asText())
                .setOrgId(sub.path("orgId").isMissingNode() || sub.path("orgId").isNull() ? null : sub.get("orgId").asText())
                .setNationality(strings(sub.path("nationality")))
                .setResidenceCountry(sub.path("residenceCountry").isTextual() ? sub.get("residenceCountry").asText() : null)
                .setLocationCountry(sub.path("locationCountry").isTextual() ? sub.get("locationCountry").asText() : null)
                .setRole(strings(sub.path("role"))).setAttributes(attributes).build();
        return SessionEvent.newBuilder().setSessionId(s.get("sessionId").asText())
                .setType(SessionEventType.valueOf(s.get("type").asText())).setResource(s.get("resource").asText())
                .setGatewayId(s.get("gatewayId").asText()).setOccurredAt(time(s.get("occurredAt"))).setSubject(subject).build();
    }

    private static DirectiveChange directive(JsonNode d, Instant acceptedAt) {
        DirectiveAction action = DirectiveAction.valueOf(d.path("action").asText("RESTRICT"));
        Scope scope = null;
        if (d.hasNonNull("scope")) {
            JsonNode s = d.get("scope");
            scope = Scope.newBuilder().setResources(strings(s.get("resources")))
                    .setSubjects(groups(s.path("subjects"))).setExempt(groups(s.path("exempt"))).build();
        }
        return DirectiveChange.newBuilder()
                .setChangeId(UUID.randomUUID().toString()).setDirectiveId(d.get("directiveId").asText())
                .setRevision(d.path("revision").asInt(1)).setAction(action)
                .setMode(DirectiveMode.valueOf(d.path("mode").asText("ENFORCE")))
                .setEnforcement(EnforcementKind.valueOf(d.path("enforcement").asText("REVOKE_AND_DENY")))
                .setIssuer(d.get("issuer").asText())
                .setLegalBasis(d.hasNonNull("legalBasis") ? d.get("legalBasis").asText() : null)
                .setReason(d.get("reason").asText())
                .setEffectiveFrom(d.hasNonNull("effectiveFrom") ? time(d.get("effectiveFrom")) : acceptedAt)
                .setEffectiveUntil(d.hasNonNull("effectiveUntil") ? time(d.get("effectiveUntil")) : null)
                .setScope(scope).setAcceptedAt(acceptedAt).build();
    }

    private static List<ConditionGroup> groups(JsonNode array) {
        List<ConditionGroup> groups = new ArrayList<>();
        array.forEach(g -> {
            List<Condition> all = new ArrayList<>();
            g.get("all").forEach(c -> all.add(Condition.newBuilder().setAttribute(c.get("attribute").asText())
                    .setOp(ConditionOp.valueOf(c.get("op").asText())).setValues(strings(c.get("values"))).build()));
            groups.add(ConditionGroup.newBuilder().setAll(all).build());
        });
        return groups;
    }

    private static List<String> strings(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(v -> list.add(v.asText()));
        return list;
    }
}
