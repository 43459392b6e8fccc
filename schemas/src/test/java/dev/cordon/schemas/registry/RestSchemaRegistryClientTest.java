package dev.cordon.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cordon.avro.SessionEvent;
import dev.cordon.schemas.registry.server.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The REST client against the embedded registry: operations, caches, errors, failover, auth, timeouts. */
@Tag("integration")
class RestSchemaRegistryClientTest {
    private static final Schema V1 = CompatibilityLevelTest.V1;

    private EmbeddedSchemaRegistry registry;
    private RestSchemaRegistryClient client;

    @BeforeEach
    void start() {
        registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0);
        client = RestSchemaRegistryClient.forUrls(registry.url());
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    @Test
    void shouldRegisterIdempotentlyAndReuseTheIdOfAnIdenticalSchemaUnderAnotherSubject() {
        int id = client.register("things-value", V1);
        int again = RestSchemaRegistryClient.forUrls(registry.url()).register("things-value", V1);
        int elsewhere = client.register("t.Thing", V1);
        int other = client.register("t.Other", SessionEvent.getClassSchema());

        assertThat(again).isEqualTo(id);
        assertThat(elsewhere).isEqualTo(id);
        assertThat(other).isNotEqualTo(id);
        assertThat(client.getAllVersions("things-value")).containsExactly(1);
        assertThat(client.getAllSubjects()).containsExactly("t.Other", "t.Thing", "things-value");
    }

    @Test
    void shouldMakeNoHttpRequestForARepeatedLookup() {
        // Given a schema registered by another client
        int id = RestSchemaRegistryClient.forUrls(registry.url()).register("things-value", V1);

        // When our client looks it up twice (and registers it, which the same cache answers)
        long before = registry.requestCount();
        int first = client.getId("things-value", V1);
        long afterFirst = registry.requestCount();
        int second = client.getId("things-value", V1);
        int registered = client.register("things-value", V1);

        // Then only the first lookup reached the server
        assertThat(afterFirst - before).isEqualTo(1);
        assertThat(registry.requestCount()).isEqualTo(afterFirst);
        assertThat(registry.requestLog()).last().isEqualTo("POST /subjects/things-value");
        assertThat(first).isEqualTo(id).isEqualTo(second).isEqualTo(registered);
    }

    @Test
    void shouldMakeNoHttpRequestForARepeatedFetchById() {
        // Given a schema registered by another client
        int id = RestSchemaRegistryClient.forUrls(registry.url()).register("things-value", V1);

        // When our client fetches it by id twice
        long before = registry.requestCount();
        Schema first = client.getSchemaById(id);
        long afterFirst = registry.requestCount();
        Schema second = client.getSchemaById(id);

        // Then only the first fetch reached the server
        assertThat(afterFirst - before).isEqualTo(1);
        assertThat(registry.requestCount()).isEqualTo(afterFirst);
        assertThat(first).isEqualTo(V1).isEqualTo(second);
    }

    @Test
    void shouldReturnVersionMetadata() {
        client.register("things-value", V1);
        int id2 = client.register("things-value", CompatibilityLevelTest.ADD_WITH_DEFAULT);

        SchemaMetadata latest = client.getLatestSchemaMetadata("things-value");
        SchemaMetadata first = client.getSchemaMetadata("things-value", 1);

        assertThat(latest).isEqualTo(new SchemaMetadata("things-value", 2, id2, CompatibilityLevelTest.ADD_WITH_DEFAULT));
        assertThat(first.version()).isEqualTo(1);
        assertThat(first.schema()).isEqualTo(V1);
        assertThat(client.getAllVersions("things-value")).containsExactly(1, 2);
    }

    @Test
    void shouldCarryConfluentErrorCodesForMissingThings() {
        client.register("things-value", V1);

        assertError(() -> client.getLatestSchemaMetadata("nope"), 404, 40401);
        assertError(() -> client.getSchemaMetadata("things-value", 7), 404, 40402);
        assertError(() -> client.getSchemaById(999), 404, 40403);
        assertError(() -> client.getId("things-value", CompatibilityLevelTest.DROP_SIZE), 404, 40403);
        assertError(() -> client.getId("nope", V1), 404, 40401);
        assertError(() -> client.getAllVersions("nope"), 404, 40401);
        assertThatThrownBy(() -> client.getSchemaById(999)).hasMessageStartingWith("Schema 999 not found");
    }

    @Test
    void shouldRefuseAnIncompatibleSchemaWith409UnderTheDefaultBackwardLevel() {
        client.register("things-value", V1);

        assertThat(client.getGlobalCompatibility()).isEqualTo(CompatibilityLevel.BACKWARD);
        assertThatThrownBy(() -> client.register("things-value", CompatibilityLevelTest.ADD_REQUIRED))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.errorCode()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("owner");
                });
        assertThat(client.getAllVersions("things-value")).containsExactly(1);
    }

    @Test
    void shouldTestCompatibilityWithReasons() {
        client.register("things-value", V1);

        assertThat(client.testCompatibility("things-value", CompatibilityLevelTest.ADD_WITH_DEFAULT)).isTrue();
        assertThat(client.testCompatibility("things-value", CompatibilityLevelTest.ADD_REQUIRED)).isFalse();
        CompatibilityResult verbose = client.testCompatibilityVerbose("things-value", CompatibilityLevelTest.ADD_REQUIRED);
        assertThat(verbose.compatible()).isFalse();
        assertThat(verbose.messages()).singleElement().asString().contains("READER_FIELD_MISSING_DEFAULT_VALUE");
        assertThat(client.testCompatibility("no-such-subject-yet", CompatibilityLevelTest.ADD_REQUIRED)).isTrue();
    }

    @Test
    void shouldApplyPerSubjectAndGlobalCompatibilityLevels() {
        client.register("a-value", V1);
        client.register("b-value", V1);

        // FORWARD on a: dropping a required field is refused there, allowed on b (BACKWARD)
        assertThat(client.updateCompatibility("a-value", CompatibilityLevel.FORWARD)).isEqualTo(CompatibilityLevel.FORWARD);
        assertThat(client.getCompatibility("a-value")).isEqualTo(CompatibilityLevel.FORWARD);
        assertThat(client.getCompatibility("b-value")).isEqualTo(CompatibilityLevel.BACKWARD);
        assertError(() -> client.register("a-value", CompatibilityLevelTest.DROP_SIZE), 409, 409);
        client.register("b-value", CompatibilityLevelTest.DROP_SIZE);

        // NONE globally: anything goes on b, but a keeps its own level
        assertThat(client.updateGlobalCompatibility(CompatibilityLevel.NONE)).isEqualTo(CompatibilityLevel.NONE);
        client.register("b-value", SessionEvent.getClassSchema());
        assertError(() -> client.register("a-value", CompatibilityLevelTest.DROP_SIZE), 409, 409);
    }

    @Test
    void shouldApplyTransitiveLevelsToEveryVersion() {
        Schema candidate = org.apache.avro.SchemaBuilder.record("Thing").namespace("t").fields()
                .requiredString("id").name("size").type().stringType().stringDefault("").endRecord();
        client.register("plain-value", V1);
        client.register("plain-value", CompatibilityLevelTest.DROP_SIZE);
        client.register("transitive-value", V1);
        client.register("transitive-value", CompatibilityLevelTest.DROP_SIZE);
        client.updateCompatibility("transitive-value", CompatibilityLevel.BACKWARD_TRANSITIVE);

        client.register("plain-value", candidate);
        assertError(() -> client.register("transitive-value", candidate), 409, 409);
    }

    @Test
    void shouldSoftThenHardDeleteASubjectAndForgetItsCachedIds() {
        int id = client.register("things-value", V1);

        assertError(() -> client.deleteSubject("things-value", true), 404, 40405);
        assertThat(client.deleteSubject("things-value")).containsExactly(1);
        assertError(() -> client.getLatestSchemaMetadata("things-value"), 404, 40401);
        assertError(() -> client.getId("things-value", V1), 404, 40401);
        assertThat(client.getAllSubjects()).isEmpty();
        assertThat(client.getSchemaById(id)).isEqualTo(V1);
        assertThat(client.deleteSubject("things-value", true)).containsExactly(1);
        assertError(() -> client.deleteSubject("things-value"), 404, 40401);
    }

    @Test
    void shouldEncodeSubjectNamesInPaths() {
        String subject = "odd subject/with+chars-value";
        int id = client.register(subject, V1);

        assertThat(client.getAllSubjects()).containsExactly(subject);
        assertThat(client.getLatestSchemaMetadata(subject).id()).isEqualTo(id);
    }

    @Test
    void shouldFailOverToTheNextUrlWhenTheFirstRefusesConnections() throws IOException {
        // Given a first URL where nothing listens
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        RestSchemaRegistryClient failover = RestSchemaRegistryClient.forUrls("http://127.0.0.1:" + deadPort, registry.url());

        // When registering
        int id = failover.register("things-value", V1);

        // Then the second URL answered
        assertThat(id).isEqualTo(client.getId("things-value", V1));
        assertThat(failover.baseUrls()).containsExactly("http://127.0.0.1:" + deadPort, registry.url());
    }

    @Test
    void shouldReportUnreachableWhenNoUrlAnswersWithinTheReadTimeout() throws Exception {
        // Given a server that accepts connections and never answers
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            RestSchemaRegistryClient slow = RestSchemaRegistryClient.fromConfigs(Map.of(
                    "schema.registry.url", "http://127.0.0.1:" + silent.getLocalPort(),
                    "http.read.timeout.ms", "300"));

            // When / Then
            long start = System.nanoTime();
            assertThatThrownBy(() -> slow.getSchemaById(1))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(SchemaRegistryException.UNREACHABLE);
                        assertThat(e.getMessage()).startsWith("Schema Registry unreachable at [http://127.0.0.1:");
                    });
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 5_000L);
        }
    }

    @Test
    void shouldAuthenticateWithUserInfoCredentials() {
        try (EmbeddedSchemaRegistry secured = EmbeddedSchemaRegistry.startWithBasicAuth("127.0.0.1", 0, "cordon", "s3cret:x")) {
            RestSchemaRegistryClient anonymous = RestSchemaRegistryClient.forUrls(secured.url());
            RestSchemaRegistryClient wrong = RestSchemaRegistryClient.fromConfigs(Map.of(
                    "schema.registry.url", secured.url(),
                    "basic.auth.credentials.source", "USER_INFO",
                    "basic.auth.user.info", "cordon:guess"));
            RestSchemaRegistryClient right = RestSchemaRegistryClient.fromConfigs(Map.of(
                    "schema.registry.url", secured.url(),
                    "basic.auth.credentials.source", "USER_INFO",
                    "basic.auth.user.info", "cordon:s3cret:x"));
            RestSchemaRegistryClient viaUrl = RestSchemaRegistryClient.forUrls(
                    secured.url().replace("http://", "http://cordon:s3cret%3Ax@"));

            assertError(anonymous::getAllSubjects, 401, 401);
            assertError(wrong::getAllSubjects, 401, 401);
            int id = right.register("things-value", V1);
            assertThat(viaUrl.getSchemaById(id)).isEqualTo(V1);
            assertThat(viaUrl.baseUrls()).containsExactly(secured.url());
        }
    }

    @Test
    void shouldAcceptConfluentsPrefixedUserInfoAlias() {
        try (EmbeddedSchemaRegistry secured = EmbeddedSchemaRegistry.startWithBasicAuth("127.0.0.1", 0, "u", "p")) {
            RestSchemaRegistryClient aliased = RestSchemaRegistryClient.fromConfigs(Map.of(
                    "schema.registry.url", secured.url(),
                    "basic.auth.credentials.source", "USER_INFO",
                    "schema.registry.basic.auth.user.info", "u:p"));

            assertThat(aliased.getAllSubjects()).isEmpty();
        }
    }

    @Test
    void shouldRefuseBadConfigNamingTheKey() {
        assertThatThrownBy(() -> RestSchemaRegistryClient.fromConfigs(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url");
        assertThatThrownBy(() -> RestSchemaRegistryClient.fromConfigs(Map.of("schema.registry.url", "localhost:8081")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url")
                .hasMessageContaining("not an http(s) URL");
        assertThatThrownBy(() -> RestSchemaRegistryClient.fromConfigs(Map.of(
                "schema.registry.url", registry.url(), "basic.auth.credentials.source", "USER_INFO")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.user.info");
        assertThatThrownBy(() -> RestSchemaRegistryClient.fromConfigs(Map.of(
                "schema.registry.url", registry.url(), "basic.auth.credentials.source", "SASL_INHERIT")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.credentials.source");
    }

    private static void assertError(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, int status, int code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
            assertThat(e.httpStatus()).as("HTTP status of %s", e.getMessage()).isEqualTo(status);
            assertThat(e.errorCode()).as("error_code of %s", e.getMessage()).isEqualTo(code);
        });
    }
}
