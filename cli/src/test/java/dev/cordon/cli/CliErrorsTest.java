package dev.cordon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets one line naming what is wrong and exit code 2 — before anything is started. */
class CliErrorsTest {
    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
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
        CliRun r = run("scenario", f.toString());
        // Then it is refused at once, naming line and field, without a stack trace
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("bad.jsonl:2").contains("`session.type`: `START` is not valid").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void shouldRefuseAnEmptyScenario() throws Exception {
        Path f = dir.resolve("empty.jsonl");
        Files.writeString(f, "\n");
        CliRun r = run("scenario", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no steps");
    }

    @Test
    void shouldRefuseAnUnknownRoleForANewToken() {
        CliRun r = run("token", "new", "--principal", "alice", "--roles", "boss");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--roles: `boss` is not a role");
    }

    @Test
    void shouldPrintATokenAndItsSaltedHashEntryWithRoles() {
        CliRun r = run("token", "new", "--principal", "alice", "--roles", "issuer,approver");
        assertThat(r.exit()).isZero();
        String token = r.out().lines().filter(l -> l.startsWith("token: ")).findFirst().orElseThrow().substring(7);
        String config = r.out().lines().filter(l -> l.startsWith("config: ")).findFirst().orElseThrow().substring(8);
        assertThat(config).startsWith("alice:").contains("issuer").contains("approver").doesNotContain(token);
        assertThat(dev.cordon.ingest.Tokens.matches(config.substring(config.indexOf(':', config.indexOf(':') + 1) + 1), token)).isTrue();
    }

    @Test
    void shouldNameTheMissingJdbcUrlAndItsBundleAlternativeWhenVerifyHasNoDatabase() {
        // Given no --jdbc-url, --config or --bundle
        // When the trail is verified
        CliRun r = run("audit", "verify");
        // Then one line names the option and what else would do, with the bad-usage exit code
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: --jdbc-url is required (or jdbc.url in --config FILE, "
                + "or CORDON_JDBC_URL; or --bundle FILE to read an export bundle instead)");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void shouldNameTheMissingJdbcUrlWhenCheckpointsHasNoDatabase() {
        CliRun r = run("audit", "checkpoints");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --jdbc-url is required").contains("--bundle FILE")
                .doesNotContain("is not a command").doesNotContain("\tat ");
    }

    @Test
    void shouldNotOfferABundleWhenTheSubcommandReadsOnlyTheDatabase() {
        CliRun r = run("audit", "prove", "--entry", "1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: --jdbc-url is required").doesNotContain("--bundle")
                .doesNotContain("is not a command");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a regression would start the stack
    void shouldRefuseANegativeOrZeroSessionCountBeforeStartingTheStack() {
        // Given session counts below 1
        // When the fan-out benchmark is asked for them
        CliRun negative = run("bench", "fanout", "--sessions", "-5");
        CliRun zero = run("bench", "fanout", "--sessions", "10k,0");
        // Then each is refused at once with one line naming the option and the value
        assertThat(negative.exit()).isEqualTo(2);
        assertThat(negative.err().strip()).isEqualTo("error: --sessions: `-5` must be at least 1");
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err().strip()).isEqualTo("error: --sessions: `0` must be at least 1");
        assertThat(negative.out()).isEmpty();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a regression would start the stack
    void shouldRefuseASessionCountThatOverflowsAnInt() {
        CliRun r = run("bench", "memory", "--sessions", "3000m");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: --sessions: `3000m` is too large (at most 2147483647)");
    }

    @Test
    void shouldStillParseSessionCountsWithSuffixes() {
        assertThat(BenchCommand.sizes("10000, 100k,1M,2147m")).containsExactly(10_000, 100_000, 1_000_000, 2_147_000_000);
        CliRun r = run("bench", "fanout", "--sessions", "abc");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--sessions: `abc` is not a count (e.g. 10000, 100k, 1m)");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a regression would start the stack
    void shouldRefuseCountsBelowOneForTheOtherBenchmarks() {
        assertThat(run("bench", "sessions", "--events", "0").err()).contains("--events: `0` must be at least 1");
        assertThat(run("bench", "audit", "--entries", "-1").err()).contains("--entries: `-1` must be at least 1");
        assertThat(run("bench", "latency", "--rate", "-3").err()).contains("--rate: `-3` must be at least 1");
        CliRun seconds = run("bench", "latency", "--seconds", "0");
        assertThat(seconds.exit()).isEqualTo(2);
        assertThat(seconds.err()).contains("--seconds: `0` must be at least 1");
    }
}
