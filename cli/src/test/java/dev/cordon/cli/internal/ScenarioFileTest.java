package dev.cordon.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioFileTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void shouldSortStepsByAtMsKeepingFileOrderForEqualTimes() throws Exception {
        // Given a file whose lines are out of time order, two at the same atMs
        Path f = dir.resolve("s.jsonl");
        Files.writeString(f, """
                {"atMs": 500, "directive": {"directiveId": "D"}}
                {"atMs": 0, "session": {"sessionId": "a"}}

                {"atMs": 0, "session": {"sessionId": "b"}}
                """);
        // When it is read
        ScenarioFile s = ScenarioFile.read(f, mapper);
        // Then steps are in atMs order, a before b, blank lines skipped, line numbers kept
        assertThat(s.steps()).extracting(ScenarioFile.Step::line).containsExactly(2, 4, 1);
        assertThat(s.lastAtMs()).isEqualTo(500);
    }

    @Test
    void shouldResolveRelativeTimestampsAgainstTimeZeroAndLeaveAbsoluteOnes() throws Exception {
        // Given relative and absolute timestamps
        Path f = dir.resolve("s.jsonl");
        Files.writeString(f, """
                {"atMs": 0, "directive": {"effectiveFrom": "+3000ms", "effectiveUntil": "2030-01-01T00:00:00Z", "reason": "+5ms"}}
                """);
        ScenarioFile.Step step = ScenarioFile.read(f, mapper).steps().get(0);
        Instant zero = Instant.parse("2026-11-26T12:00:00Z");
        // When resolved
        var body = step.resolve(zero);
        // Then only timestamp fields change, relative ones become zero + N ms
        assertThat(body.get("effectiveFrom").asText()).isEqualTo("2026-11-26T12:00:03Z");
        assertThat(body.get("effectiveUntil").asText()).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(body.get("reason").asText()).isEqualTo("+5ms");
        assertThat(step.scheduledInstants(zero)).containsExactly(Instant.parse("2026-11-26T12:00:03Z"),
                Instant.parse("2030-01-01T00:00:00Z"));
    }

    @Test
    void shouldRefuseALineWithBothSessionAndDirectiveNamingTheLine() throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"atMs\": 0, \"session\": {}, \"directive\": {}}\n");
        assertThatThrownBy(() -> ScenarioFile.read(f, mapper))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.jsonl:1")
                .hasMessageContaining("exactly one of `session` or `directive`");
    }

    @Test
    void shouldRefuseAFractionalOrHugeAtMs() throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"atMs\": 1e12, \"session\": {}}\n");
        assertThatThrownBy(() -> ScenarioFile.read(f, mapper)).hasMessageContaining("`atMs` must be an integer from 0 to 3600000");
        Files.writeString(f, "{\"atMs\": 5000000, \"session\": {}}\n");
        assertThatThrownBy(() -> ScenarioFile.read(f, mapper)).hasMessageContaining("`atMs` must be an integer");
    }

    @Test
    void shouldRefuseANegativeOrMissingAtMs() throws Exception {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"atMs\": -1, \"session\": {}}\n");
        assertThatThrownBy(() -> ScenarioFile.read(f, mapper)).hasMessageContaining("`atMs` must be an integer from 0 to 3600000");
    }
}
