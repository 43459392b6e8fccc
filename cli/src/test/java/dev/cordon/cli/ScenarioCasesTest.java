package dev.cordon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Every scenario under the repository's {@code cases/} directory (the shared cases of DESIGN.md
 * plus our own) played through the CLI path ({@code cordon scenario FILE}) on the embedded stack; the
 * printed commands must equal the {@code .expected.json} as a multiset of
 * (kind, sessionId, directiveId, attempt): every command printed expected, every expected printed.
 */
@Tag("integration")
class ScenarioCasesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TestFactory
    @Timeout(value = 20, unit = java.util.concurrent.TimeUnit.MINUTES)
    Stream<DynamicTest> shouldPrintExactlyTheExpectedCommandsForEveryScenario() throws IOException {
        Path dir = Path.of("..", "cases").toAbsolutePath().normalize(); // tests run in the module directory
        List<Path> cases;
        try (Stream<Path> files = Files.list(dir)) {
            cases = files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
        }
        assertThat(cases).as("scenario files in %s", dir).isNotEmpty();
        return cases.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> runCase(file)));
    }

    private static void runCase(Path file) throws IOException {
        // Given the expected commands of the case
        Path expectedFile = file.resolveSibling(file.getFileName().toString().replace(".jsonl", ".expected.json"));
        JsonNode expected = MAPPER.readTree(expectedFile.toFile());
        List<String> expectedKeys = new ArrayList<>();
        expected.get("commands").forEach(c -> expectedKeys.add(key(c)));

        // When the scenario is played through the CLI
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Cordon.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute("scenario", file.toString());

        // Then it exits 0 and prints exactly the expected commands
        assertThat(exit).as("exit code; stderr:%n%s", err).isZero();
        List<String> printed = new ArrayList<>();
        for (String line : out.toString().split("\\R")) {
            if (!line.isBlank()) {
                printed.add(key(MAPPER.readTree(line)));
            }
        }
        assertThat(printed).as("%s: %s%nstdout:%n%s%nstderr:%n%s", file.getFileName(), expected.path("title").asText(), out, err)
                .containsExactlyInAnyOrderElementsOf(expectedKeys);
    }

    private static String key(JsonNode c) {
        return c.get("kind").asText() + " " + c.get("sessionId").asText() + " " + c.get("directiveId").asText()
                + " attempt " + c.get("attempt").asInt();
    }
}
