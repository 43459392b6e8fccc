package dev.cordon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.bench.BenchTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cordon bench … --bootstrap-servers}: the real-cluster options are checked before anything starts — a missing
 * or stray option, an unreadable client config — with exit code 2 and one line naming the option; good options become
 * an external target carrying every client setting.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a regression would start the stack or dial out
class BenchOptionsTest {
    private static final String BROKER = "broker.invalid:9092";
    private static final String REGISTRY = "http://registry.invalid:8081";

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void shouldRequireTheSchemaRegistryUrlWithBootstrapServers() {
        // Given a real cluster's brokers but no registry
        // When each Kafka benchmark is asked to run there
        for (String bench : new String[] {"fanout", "sessions", "latency", "peer", "memory", "audit"}) {
            CliRun r = run("bench", bench, "--bootstrap-servers", BROKER);
            // Then it is refused at once, naming the missing option, with the bad-usage exit code
            assertThat(r.exit()).as(bench).isEqualTo(2);
            assertThat(r.err().strip()).as(bench)
                    .startsWith("error: Missing required option: '--schema-registry-url=URL'")
                    .doesNotContain("\tat ");
            assertThat(r.out()).as(bench).isEmpty();
        }
    }

    @Test
    void shouldRefuseMalformedServersRegistryUrlAndCommitIntervalsBeforeConnecting() {
        // Given a broker address without a port, a registry "URL" that is not one, and a negative tuned commit interval
        CliRun servers = run("bench", "fanout", "--bootstrap-servers", "x", "--schema-registry-url", REGISTRY);
        CliRun registry = run("bench", "fanout", "--bootstrap-servers", BROKER, "--schema-registry-url", "notaurl");
        CliRun commit = run("bench", "latency", "--tuned-commit-ms", "-5");

        // Then each is refused at once with the bad-usage exit code, naming the option and what would be valid
        assertThat(servers.exit()).isEqualTo(2);
        assertThat(servers.err().strip()).startsWith("error: --bootstrap-servers:").contains("HOST:PORT").contains("`x`");
        assertThat(registry.exit()).isEqualTo(2);
        assertThat(registry.err().strip()).startsWith("error: --schema-registry-url:").contains("http(s)://");
        assertThat(commit.exit()).isEqualTo(2);
        assertThat(commit.err().strip()).startsWith("error: --tuned-commit-ms:").contains("at least 1");
    }

    @Test
    void shouldRefuseMicroBenchmarkCountsBelowTheirMinimumNamingTheOption() {
        for (String[] bad : new String[][] {{"--forks", "-1"}, {"--iterations", "0"}, {"--warmups", "-2"}}) {
            CliRun r = run("bench", "micro", bad[0], bad[1]);
            assertThat(r.exit()).as(bad[0]).isEqualTo(2);
            assertThat(r.err().strip()).as(bad[0]).startsWith("error: " + bad[0] + ": `" + bad[1] + "` must be at least");
        }
    }

    @Test
    void shouldNotEchoTheJdbcPasswordWhenRefusingAJdbcUrl() {
        // Given a JDBC URL of another database, with a password in it
        CliRun r = run("bench", "audit", "--bootstrap-servers", BROKER, "--schema-registry-url", REGISTRY,
                "--jdbc-url", "jdbc:mysql://db.invalid/x?user=a&password=s3cr3t", "--jdbc-user", "a");

        // Then it is refused naming --jdbc-url, and the password is not printed
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--jdbc-url").contains("jdbc:postgresql:").doesNotContain("s3cr3t");
    }

    @Test
    void shouldRequireADatabaseForTheAuditBenchmarkOnARealCluster() {
        // Given brokers and registry but no --jdbc-url
        CliRun r = run("bench", "audit", "--bootstrap-servers", BROKER, "--schema-registry-url", REGISTRY);
        // Then audit is refused, naming --jdbc-url and where the password comes from
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("error: Missing required option: '--jdbc-url=URL'")
                .contains(BenchCommand.JDBC_PASSWORD_ENV);
        assertThat(r.out()).isEmpty();

        // and with a URL but no user, --jdbc-user is named
        CliRun noUser = run("bench", "audit", "--bootstrap-servers", BROKER, "--schema-registry-url", REGISTRY,
                "--jdbc-url", "jdbc:postgresql://db.invalid:5432/bench");
        assertThat(noUser.exit()).isEqualTo(2);
        assertThat(noUser.err().strip()).startsWith("error: Missing required option: '--jdbc-user=USER'");
    }

    @Test
    void shouldRefuseAClientConfigThatCannotBeRead() throws Exception {
        // Given a path that does not exist, and one that is a directory
        Path missing = dir.resolve("missing.properties");
        Path directory = Files.createDirectory(dir.resolve("a-directory"));
        for (Path p : new Path[] {missing, directory}) {
            // When it is given as --client-config
            CliRun r = run("bench", "fanout", "--bootstrap-servers", BROKER, "--schema-registry-url", REGISTRY,
                    "--client-config", p.toString());
            // Then the run is refused, naming the option and the file
            assertThat(r.exit()).as(p.toString()).isEqualTo(2);
            assertThat(r.err().strip()).as(p.toString()).startsWith("error: --client-config: cannot read `" + p + "`");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void shouldRefuseAClientConfigThatSetsAnIdTheRunChoosesItself() throws Exception {
        // Given a client config that would put every benchmark client into one (perhaps a production) group
        Path f = dir.resolve("client.properties");
        Files.writeString(f, "security.protocol=SASL_SSL\ngroup.id=cordon-enforcement\n");
        // When it is used
        CliRun r = run("bench", "sessions", "--bootstrap-servers", BROKER, "--schema-registry-url", REGISTRY,
                "--client-config", f.toString());
        // Then it is refused, naming the option and the setting
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("error: --client-config: client setting `group.id` is chosen by the benchmark");
    }

    @Test
    void shouldRefuseAnEnforcementSettingThatWouldJoinADeploymentOnARealCluster() {
        // Given --set naming the production enforcement application id
        CliRun r = run("bench", "fanout", "--sessions", "10", "--bootstrap-servers", BROKER, "--schema-registry-url", REGISTRY,
                "--set", "application.id=cordon-enforcement");
        // Then the run is refused before anything is created on the cluster
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("error: enforcement setting `application.id` is chosen per run on an external cluster");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void shouldRefuseClusterOptionsWithoutBootstrapServers() throws Exception {
        // Given options that only mean something on a real cluster, without --bootstrap-servers
        Path f = dir.resolve("client.properties");
        Files.writeString(f, "security.protocol=SSL\n");
        CliRun registry = run("bench", "fanout", "--schema-registry-url", REGISTRY);
        CliRun config = run("bench", "latency", "--client-config", f.toString());
        CliRun jdbc = run("bench", "audit", "--jdbc-url", "jdbc:postgresql://db.invalid:5432/bench");
        // Then each is refused instead of silently running on the embedded stack
        assertThat(registry.exit()).isEqualTo(2);
        assertThat(registry.err().strip()).isEqualTo("error: --schema-registry-url applies only with --bootstrap-servers "
                + "(without it the benchmark runs on the embedded stack)");
        assertThat(config.exit()).isEqualTo(2);
        assertThat(config.err().strip()).startsWith("error: --client-config applies only with --bootstrap-servers");
        assertThat(jdbc.exit()).isEqualTo(2);
        assertThat(jdbc.err().strip()).startsWith("error: --jdbc-url applies only with --bootstrap-servers");
    }

    @Test
    void shouldRefuseClusterOptionsForTheMicroBenchmarks() {
        // When the JMH benchmarks are given a cluster
        CliRun r = run("bench", "micro", "--bootstrap-servers", BROKER);
        CliRun jdbc = run("bench", "micro", "--jdbc-url", "jdbc:postgresql://db.invalid:5432/bench");
        // Then they say the option does not apply (and run nothing)
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: --bootstrap-servers does not apply to bench micro: it runs JMH in "
                + "forked JVMs on this machine and uses no cluster");
        assertThat(r.out()).isEmpty();
        assertThat(jdbc.exit()).isEqualTo(2);
        assertThat(jdbc.err().strip()).startsWith("error: --jdbc-url does not apply to bench micro");
    }

    @Test
    void shouldBuildAnExternalTargetWithEveryClientSetting() throws Exception {
        // Given a client config with security settings for Kafka and the registry
        Path f = dir.resolve("client.properties");
        Files.writeString(f, """
                security.protocol=SASL_SSL
                sasl.mechanism=PLAIN
                basic.auth.credentials.source=USER_INFO
                basic.auth.user.info=bench:secret
                """);
        BenchCommand.FanOut fanOut = new BenchCommand.FanOut();
        new CommandLine(fanOut).parseArgs("--bootstrap-servers", BROKER + ",broker2.invalid:9092", "--schema-registry-url",
                REGISTRY, "--client-config", f.toString());

        // When the options are turned into a target
        BenchTarget target = fanOut.target();

        // Then it is the external cluster with every setting of the file, and its description holds no secret
        assertThat(target.isEmbedded()).isFalse();
        assertThat(target.external().bootstrapServers()).isEqualTo(BROKER + ",broker2.invalid:9092");
        assertThat(target.external().schemaRegistryUrl()).isEqualTo(REGISTRY);
        assertThat(target.external().clientSettings()).isEqualTo(Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN", "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "bench:secret"));
        assertThat(target.external().jdbcUrl()).isNull();
        assertThat(target.describe()).contains(BROKER).contains(REGISTRY).doesNotContain("secret");
        assertThat(target.external().toString()).doesNotContain("secret");
    }

    @Test
    void shouldRunOnTheEmbeddedStackWithoutClusterOptions() {
        BenchCommand.Memory memory = new BenchCommand.Memory();
        new CommandLine(memory).parseArgs("--sessions", "10k");
        assertThat(memory.target().isEmbedded()).isTrue();
    }
}
