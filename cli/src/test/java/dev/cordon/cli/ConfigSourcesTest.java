package dev.cordon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourcesTest {
    @TempDir
    Path dir;

    @Test
    void shouldLetFlagsBeatEnvironmentAndEnvironmentBeatTheFile() throws Exception {
        // Given the same key in a file, the environment and a flag, and others in one source each
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\njdbc.url=jdbc:file\ntopic.prefix=file.\n");
        Map<String, String> env = Map.of("CORDON_BOOTSTRAP_SERVERS", "env:9092", "CORDON_JDBC_URL", "jdbc:env",
                "KAFKA_SECURITY_PROTOCOL", "SSL");
        Map<String, Object> flags = new HashMap<>();
        flags.put("bootstrap.servers", "flag:9092");
        flags.put("schema.registry.url", null);
        // When resolved
        Map<String, Object> s = ConfigSources.resolve(file, env, flags);
        // Then precedence is defaults < file < environment < flags
        assertThat(s).containsEntry("bootstrap.servers", "flag:9092")
                .containsEntry("jdbc.url", "jdbc:env")
                .containsEntry("topic.prefix", "file.")
                .containsEntry("security.protocol", "SSL")
                .doesNotContainKey("schema.registry.url");
    }
}
