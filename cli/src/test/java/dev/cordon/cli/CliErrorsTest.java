package dev.cordon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input gets one line naming what is wrong and exit code 2 — before anything is started. */
class CliErrorsTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Cordon.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldRefuseABadSessionLineBeforeStartingTheStack() throws Exception {
        // Given a scenario whose second line has an invalid session type
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, """
                {"atMs": 0, "directive": {"directiveId": "X"}}
                {"atMs": 5, "session": {"sessionId": "s", "type": "START"}}
                """);
        // When it is played
        Run r = run("scenario", f.toString());
        // Then it is refused at once, naming line and field, without a stack trace
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("bad.jsonl:2").contains("`session.type`: `START` is not valid").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void shouldRefuseAnEmptyScenario() throws Exception {
        Path f = dir.resolve("empty.jsonl");
        Files.writeString(f, "\n");
        Run r = run("scenario", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no steps");
    }

    @Test
    void shouldRefuseAnUnknownRoleForANewToken() {
        Run r = run("token", "new", "--principal", "alice", "--roles", "boss");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--roles: `boss` is not a role");
    }

    @Test
    void shouldPrintATokenAndItsSaltedHashEntryWithRoles() {
        Run r = run("token", "new", "--principal", "alice", "--roles", "issuer,approver");
        assertThat(r.exit()).isZero();
        String token = r.out().lines().filter(l -> l.startsWith("token: ")).findFirst().orElseThrow().substring(7);
        String config = r.out().lines().filter(l -> l.startsWith("config: ")).findFirst().orElseThrow().substring(8);
        assertThat(config).startsWith("alice:").contains("issuer").contains("approver").doesNotContain(token);
        assertThat(dev.cordon.ingest.Tokens.matches(config.substring(config.indexOf(':', config.indexOf(':') + 1) + 1), token)).isTrue();
    }
}
