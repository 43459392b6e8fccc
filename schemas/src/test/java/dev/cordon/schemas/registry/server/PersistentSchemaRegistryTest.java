package dev.cordon.schemas.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The registry started with a storage directory: its state survives a restart on that directory. */
@Tag("integration")
class PersistentSchemaRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private EmbeddedSchemaRegistry registry;

    @TempDir
    Path dir;

    private record Answer(int status, JsonNode body) {
    }

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static String record(String name, String... fields) {
        StringBuilder sb = new StringBuilder("{\"type\":\"record\",\"name\":\"" + name + "\",\"fields\":[");
        for (int i = 0; i < fields.length; i++) {
            sb.append(i == 0 ? "" : ",").append(fields[i]);
        }
        return sb.append("]}").toString();
    }

    private static final String ID = "{\"name\":\"id\",\"type\":\"string\"}";
    private static final String N = "{\"name\":\"n\",\"type\":\"int\",\"default\":0}";
    private static final String THING_V1 = record("Thing", ID);
    private static final String THING_V2 = record("Thing", ID, N);
    private static final String OTHER = record("Other", ID);
    private static final String GONE = record("Gone", ID);
    private static final String LATER = record("Later", ID);

    private void restart() {
        if (registry != null) {
            registry.close();
        }
        registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0, dir);
    }

    private Answer call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), JSON.readTree(r.body()));
    }

    private int register(String subject, String schema) throws Exception {
        Answer a = call("POST", "/subjects/" + subject + "/versions", JSON.writeValueAsString(Map.of("schema", schema)));
        assertThat(a.status()).as("register %s: %s", subject, a.body()).isEqualTo(200);
        return a.body().get("id").asInt();
    }

    private void setLevel(String path, String level) throws Exception {
        Answer a = call("PUT", path, JSON.writeValueAsString(Map.of("compatibility", level)));
        assertThat(a.status()).as("PUT %s: %s", path, a.body()).isEqualTo(200);
    }

    @Test
    void shouldRestoreIdsVersionsConfigAndDeletionsWhenRestartedOnTheSameDirectory() throws Exception {
        // Given a persistent registry with schemas, config changes and deletions
        restart();
        int thingV1 = register("things-value", THING_V1);
        int thingV2 = register("things-value", THING_V2);
        int other = register("others-value", OTHER);
        int shared = register("copies-value", THING_V1);
        int gone = register("gone-value", GONE);
        setLevel("/config", "FULL");
        setLevel("/config/others-value", "NONE");
        setLevel("/config/copies-value", "FORWARD");
        assertThat(call("DELETE", "/config/copies-value", null).status()).isEqualTo(200);
        assertThat(call("DELETE", "/subjects/copies-value", null).body().toString()).isEqualTo("[1]");
        assertThat(call("DELETE", "/subjects/gone-value", null).status()).isEqualTo(200);
        assertThat(call("DELETE", "/subjects/gone-value?permanent=true", null).status()).isEqualTo(200);
        String schemaOfV2Before = call("GET", "/schemas/ids/" + thingV2, null).body().toString();

        // When it is restarted on the same directory
        restart();

        // Then ids, versions, subjects, config and deletions are as before
        assertThat(List.of(thingV1, thingV2, other, shared, gone)).containsExactly(1, 2, 3, 1, 4);
        assertThat(call("GET", "/subjects", null).body().toString()).isEqualTo("[\"others-value\",\"things-value\"]");
        assertThat(call("GET", "/subjects/things-value/versions", null).body().toString()).isEqualTo("[1,2]");
        Answer latest = call("GET", "/subjects/things-value/versions/latest", null);
        assertThat(latest.body().get("version").asInt()).isEqualTo(2);
        assertThat(latest.body().get("id").asInt()).isEqualTo(thingV2);
        assertThat(call("GET", "/schemas/ids/" + thingV2, null).body().toString()).isEqualTo(schemaOfV2Before);
        assertThat(call("GET", "/schemas/ids/" + gone, null).status())
                .as("ids of permanently deleted subjects still resolve (records in Kafka carry them)").isEqualTo(200);
        assertThat(call("GET", "/schemas/ids/" + thingV1 + "/versions", null).body().toString())
                .isEqualTo("[{\"subject\":\"things-value\",\"version\":1}]");
        assertThat(call("GET", "/config", null).body().get("compatibilityLevel").asText()).isEqualTo("FULL");
        assertThat(call("GET", "/config/others-value", null).body().get("compatibilityLevel").asText()).isEqualTo("NONE");
        assertThat(call("GET", "/config/copies-value", null).body().get("error_code").asInt()).isEqualTo(40408);
        assertThat(call("DELETE", "/subjects/copies-value", null).body().get("error_code").asInt())
                .as("still soft deleted").isEqualTo(40404);
        assertThat(call("GET", "/subjects/gone-value/versions", null).body().get("error_code").asInt()).isEqualTo(40401);
        // ... and new state continues from there: fresh ids, versions after the soft-deleted ones
        assertThat(register("later-value", LATER)).isEqualTo(5);
        assertThat(register("copies-value", THING_V1)).isEqualTo(thingV1);
        assertThat(call("GET", "/subjects/copies-value/versions", null).body().toString()).isEqualTo("[2]");
        assertThat(register("things-value", THING_V2)).as("idempotent after replay").isEqualTo(thingV2);
    }

    @Test
    void shouldIgnoreATornLastLineWithAWarning() throws Exception {
        // Given a journal whose last append was cut short by a crash
        restart();
        int thing = register("things-value", THING_V1);
        registry.close();
        registry = null;
        Path journal = dir.resolve(SchemaJournal.FILE_NAME);
        Files.writeString(journal, "{\"op\":\"register\",\"subject\":\"others-value\",\"vers",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Logger logger = (Logger) LoggerFactory.getLogger(SchemaJournal.class);
        ListAppender<ILoggingEvent> warnings = new ListAppender<>();
        warnings.start();
        logger.addAppender(warnings);
        try {
            // When the registry restarts on it
            restart();
        } finally {
            logger.detachAppender(warnings);
        }

        // Then the complete lines are replayed, the torn one is dropped with a WARN and cut off the file
        assertThat(warnings.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("torn last line 2");
        });
        assertThat(call("GET", "/subjects", null).body().toString()).isEqualTo("[\"things-value\"]");
        assertThat(call("GET", "/subjects/things-value/versions/1", null).body().get("id").asInt()).isEqualTo(thing);
        assertThat(Files.readString(journal)).endsWith("\n").doesNotContain("\"vers\n").doesNotContain("others-value");
        int other = register("others-value", OTHER);
        restart();
        assertThat(call("GET", "/subjects", null).body().toString()).isEqualTo("[\"others-value\",\"things-value\"]");
        assertThat(call("GET", "/subjects/others-value/versions/1", null).body().get("id").asInt()).isEqualTo(other);
    }

    @Test
    void shouldRefuseToStartWhenALineBeforeTheLastIsCorrupt() throws Exception {
        // Given a journal with garbage in the middle
        restart();
        register("things-value", THING_V1);
        registry.close();
        registry = null;
        Path journal = dir.resolve(SchemaJournal.FILE_NAME);
        String good = Files.readString(journal);
        Files.writeString(journal, "not json\n" + good);

        // When / Then the registry does not start on it, naming the file and the line
        assertThatThrownBy(this::restart).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(journal.toString()).hasMessageContaining("line 1");
    }

    @Test
    void shouldRefuseASecondRegistryOnTheSameDirectory() {
        // Given a running persistent registry
        restart();

        // When / Then a second one on the same directory is refused, and accepted once the first is closed
        assertThatThrownBy(() -> EmbeddedSchemaRegistry.start("127.0.0.1", 0, dir))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("in use");
        registry.close();
        registry = null;
        restart();
        assertThat(registry.url()).startsWith("http://127.0.0.1:");
    }
}
