package dev.cordon.cli;

import dev.cordon.ops.OpsConfig;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cordon.audit.AuditSinkConfig;
import dev.cordon.caep.CaepConfig;
import dev.cordon.enforcement.EnforcementConfig;
import dev.cordon.ingest.IngestConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, checked as far as a machine without Docker allows: parsed as YAML; every service named,
 * with an image; health checks where something waits on them; no topic auto-creation; ports on 127.0.0.1 that
 * the services really listen on; and every {@code CORDON_*} variable maps — by the rule of the CLI's
 * {@code ConfigSources} ({@code CORDON_JDBC_URL} → {@code jdbc.url}) — to a key of the {@code ConfigDef} of the
 * service its command runs, with every required key provided.
 */
class ComposeFileTest {
    private static final Path COMPOSE = Path.of("..", "docker-compose.yml");
    private static JsonNode services;

    /** The {@code cordon} subcommand each service runs → the keys it reads. */
    private static final Map<String, Predicate<String>> KEYS_BY_COMMAND = Map.of(
            "ingest", in(IngestConfig.configDef()),
            "stream", in(EnforcementConfig.configDef()),
            "audit-sink", in(AuditSinkConfig.configDef()),
            "caep", in(CaepConfig.configDef()).or(ComposeFileTest::isCaepReceiverKey),
            // TopicsCommand reads bootstrap.servers and topic.prefix only
            "topics", k -> k.equals("bootstrap.servers") || k.equals("topic.prefix"));

    /** Required keys (no default) per subcommand. */
    private static final Map<String, Set<String>> REQUIRED_BY_COMMAND = Map.of(
            "ingest", required(IngestConfig.configDef()),
            "stream", required(EnforcementConfig.configDef()),
            "audit-sink", required(AuditSinkConfig.configDef()),
            "caep", required(CaepConfig.configDef()),
            "topics", Set.of("bootstrap.servers"));

    @BeforeAll
    static void parse() throws Exception {
        assertThat(COMPOSE).as("docker-compose.yml at the repository root").exists();
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(COMPOSE));
        services = root.path("services");
    }

    /** Same rule as cli's ConfigSources.toKey: drop CORDON_, lower-case, '_' → '.'. */
    static String toKey(String envName) {
        return envName.substring("CORDON_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    @Test
    void shouldMapEnvironmentNamesAsTheCliDoes() {
        assertThat(toKey("CORDON_JDBC_URL")).isEqualTo("jdbc.url");
        assertThat(toKey("CORDON_CAEP_RECEIVER_SOC_POLL_TOKEN_SHA256")).isEqualTo("caep.receiver.soc.poll.token.sha256");
    }

    @Test
    void shouldRunTheWholeStackOnPublicImagesAndTheCordonImage() {
        assertThat(names(services)).containsExactlyInAnyOrder(
                "kafka", "schema-registry", "postgres", "topics", "audit-sink", "enforcement", "ingest", "caep");
        assertThat(services.path("kafka").path("image").asText()).startsWith("apache/kafka:");
        assertThat(services.path("schema-registry").path("image").asText()).startsWith("confluentinc/cp-schema-registry:");
        assertThat(services.path("postgres").path("image").asText()).startsWith("postgres:");
        for (String cordon : List.of("topics", "audit-sink", "enforcement", "ingest", "caep")) {
            assertThat(services.path(cordon).path("image").asText()).as(cordon).isEqualTo("cordon:dev");
        }
        assertThat(services.path("topics").path("build").asText()).isEqualTo(".");
        assertThat(Path.of("..", "Dockerfile")).exists();
        assertThat(Files.exists(Path.of("..", "scripts", "compose-smoke.sh"))).isTrue();
    }

    @Test
    void shouldNeverAutoCreateTopicsAndCreateThemInAOneShotJob() {
        assertThat(services.path("kafka").path("environment").path("KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText()).isEqualTo("false");
        assertThat(commandOf("topics")).startsWith("topics", "create");
        assertThat(services.path("topics").path("restart").asText()).isEqualTo("no");
        for (String service : List.of("audit-sink", "enforcement", "ingest", "caep")) {
            assertThat(services.path(service).path("depends_on").path("topics").path("condition").asText())
                    .as(service + " waits for the topics").isEqualTo("service_completed_successfully");
        }
    }

    @Test
    void shouldHealthCheckEveryServiceOthersWaitOnAndEveryServer() {
        Set<String> awaitedHealthy = new HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> s = it.next();
            for (Iterator<Map.Entry<String, JsonNode>> d = s.getValue().path("depends_on").fields(); d.hasNext(); ) {
                Map.Entry<String, JsonNode> dep = d.next();
                assertThat(names(services)).as(s.getKey() + " depends on a service that exists").contains(dep.getKey());
                if (dep.getValue().path("condition").asText().equals("service_healthy")) {
                    awaitedHealthy.add(dep.getKey());
                }
            }
        }
        awaitedHealthy.addAll(List.of("kafka", "schema-registry", "postgres", "ingest", "caep", "enforcement", "audit-sink"));
        for (String service : awaitedHealthy) {
            JsonNode test = services.path(service).path("healthcheck").path("test");
            assertThat(test.isArray() && test.size() >= 2).as(service + " has a healthcheck test").isTrue();
        }
        assertThat(healthUrl("ingest")).isEqualTo("http://localhost:8080/health");
        assertThat(healthUrl("caep")).isEqualTo("http://localhost:8090/.well-known/ssf-configuration");
        // the stream and the sink have no API of their own: their health is the ops server's readiness
        assertThat(healthUrl("enforcement")).isEqualTo("http://localhost:" + OpsConfig.DEFAULT_PORT_ENFORCEMENT + "/health/ready");
        assertThat(healthUrl("audit-sink")).isEqualTo("http://localhost:" + OpsConfig.DEFAULT_PORT_AUDIT_SINK + "/health/ready");
    }

    @Test
    void shouldPublishPortsOnLoopbackOnlyAndOnPortsTheServicesListenOn() {
        for (String service : names(services)) {
            for (JsonNode port : services.path(service).path("ports")) {
                assertThat(port.asText()).as(service + " port").startsWith("127.0.0.1:");
            }
        }
        assertThat(containerPorts("ingest")).containsExactly(env("ingest").get("CORDON_INGEST_PORT"),
                String.valueOf(OpsConfig.DEFAULT_PORT_INGEST));
        assertThat(env("ingest").get("CORDON_INGEST_HOST")).isEqualTo("0.0.0.0");
        assertThat(containerPorts("caep")).containsExactly(env("caep").get("CORDON_CAEP_HTTP_PORT"),
                String.valueOf(OpsConfig.DEFAULT_PORT_CAEP));
        assertThat(containerPorts("enforcement")).containsExactly(String.valueOf(OpsConfig.DEFAULT_PORT_ENFORCEMENT));
        assertThat(containerPorts("audit-sink")).containsExactly(String.valueOf(OpsConfig.DEFAULT_PORT_AUDIT_SINK));
        // a published metrics port is reachable only if the service's ops server binds beyond the container's loopback
        for (String service : List.of("ingest", "enforcement", "audit-sink", "caep")) {
            assertThat(env(service).get("CORDON_OPS_HOST")).as(service + " ops host").isEqualTo("0.0.0.0");
        }
        assertThat(containerPorts("schema-registry")).containsExactly(
                String.valueOf(URI.create(env("schema-registry").get("SCHEMA_REGISTRY_LISTENERS")).getPort()));
        assertThat(containerPorts("kafka")).containsExactly("29092");
        assertThat(env("kafka").get("KAFKA_LISTENERS")).contains("HOST://:29092").contains("PLAINTEXT://:9092");
    }

    @Test
    void shouldPointEveryServiceAtAddressesThatExistInTheStack() {
        for (String service : List.of("topics", "audit-sink", "enforcement", "ingest", "caep")) {
            Map<String, String> env = env(service);
            assertThat(env.get("CORDON_BOOTSTRAP_SERVERS")).as(service).isEqualTo("kafka:9092");
            if (env.containsKey("CORDON_SCHEMA_REGISTRY_URL")) {
                assertThat(env.get("CORDON_SCHEMA_REGISTRY_URL")).as(service).isEqualTo("http://schema-registry:8081");
            }
            if (env.containsKey("CORDON_JDBC_URL")) {
                assertThat(env.get("CORDON_JDBC_URL")).as(service).isEqualTo("jdbc:postgresql://postgres:5432/"
                        + env("postgres").get("POSTGRES_DB"));
            }
        }
    }

    @Test
    void shouldMapEveryCordonVariableToAKeyTheServiceReadsAndProvideEveryRequiredKey() {
        List<String> problems = new ArrayList<>();
        for (String service : List.of("topics", "audit-sink", "enforcement", "ingest", "caep")) {
            String command = commandOf(service).get(0);
            Predicate<String> known = KEYS_BY_COMMAND.get(command);
            assertThat(known).as(service + " runs a known cordon subcommand, not " + command).isNotNull();
            Set<String> provided = new HashSet<>(flagKeys(commandOf(service)));
            env(service).forEach((name, value) -> {
                if (!name.startsWith("CORDON_")) {
                    return;
                }
                String key = toKey(name);
                provided.add(key);
                if (!known.test(key)) {
                    problems.add(service + ": " + name + " -> '" + key + "' is not a key of `cordon " + command + "`");
                }
            });
            for (String required : REQUIRED_BY_COMMAND.get(command)) {
                if (!provided.contains(required)) {
                    problems.add(service + ": required key '" + required + "' is not set (CORDON_"
                            + required.toUpperCase(Locale.ROOT).replace('.', '_') + ")");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldCatchAVariableNoServiceReads() {
        // the check above can fail: a misspelt variable is not a key of the ingest ConfigDef
        assertThat(KEYS_BY_COMMAND.get("ingest").test(toKey("CORDON_INGEST_PROT"))).isFalse();
        assertThat(KEYS_BY_COMMAND.get("caep").test(toKey("CORDON_CAEP_RECEIVER_SOC_COLOUR"))).isFalse();
        assertThat(KEYS_BY_COMMAND.get("caep").test(toKey("CORDON_CAEP_RECEIVER_SOC_AUDIENCE"))).isTrue();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static Predicate<String> in(ConfigDef def) {
        Set<String> names = def.names();
        return names::contains;
    }

    private static Set<String> required(ConfigDef def) {
        Set<String> out = new HashSet<>();
        def.configKeys().forEach((name, key) -> {
            if (!key.hasDefault()) {
                out.add(name);
            }
        });
        return out;
    }

    private static boolean isCaepReceiverKey(String key) {
        if (!key.startsWith(CaepConfig.RECEIVER_PREFIX)) {
            return false;
        }
        String rest = key.substring(CaepConfig.RECEIVER_PREFIX.length());
        int dot = rest.indexOf('.');
        return dot > 0 && CaepConfig.RECEIVER_KEYS.contains(rest.substring(dot + 1));
    }

    /** Config keys set by command-line flags of the service's command (e.g. --session-partitions). */
    private static List<String> flagKeys(List<String> command) {
        List<String> keys = new ArrayList<>();
        for (String arg : command) {
            if (arg.startsWith("--")) {
                keys.add(arg.substring(2).replace('-', '.'));
            }
        }
        return keys;
    }

    private static List<String> commandOf(String service) {
        List<String> out = new ArrayList<>();
        services.path(service).path("command").forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Map<String, String> env(String service) {
        Map<String, String> out = new LinkedHashMap<>();
        services.path(service).path("environment").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static List<String> containerPorts(String service) {
        List<String> out = new ArrayList<>();
        services.path(service).path("ports").forEach(p -> {
            String[] parts = p.asText().split(":");
            out.add(parts[parts.length - 1]);
        });
        return out;
    }

    private static String healthUrl(String service) {
        String test = services.path(service).path("healthcheck").path("test").get(1).asText();
        return test.replaceAll(".*curl -fs (\\S+).*", "$1");
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

}
