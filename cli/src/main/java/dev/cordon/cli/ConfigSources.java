package dev.cordon.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Merges service configuration from its sources, in the documented precedence (STYLE.md point 6,
 * after bakdata's EnvironmentKafkaConfigParser): defaults (in each service's {@code ConfigDef}) &lt;
 * properties file ({@code --config}) &lt; environment &lt; command-line flags.
 *
 * <p>Environment: {@code CORDON_JDBC_URL=…} becomes {@code jdbc.url}, and {@code KAFKA_SECURITY_PROTOCOL=…}
 * becomes {@code security.protocol} (any Kafka client setting): the prefix is dropped, the rest
 * lower-cased, and {@code _} turned into {@code .}.
 */
public final class ConfigSources {
    private ConfigSources() {
    }

    /**
     * @param file  properties file, or {@code null}
     * @param env   the process environment (pass {@code System.getenv()})
     * @param flags values given as flags; {@code null} values are ignored
     * @return the merged settings, later sources winning
     * @throws IOException when the file cannot be read
     */
    public static Map<String, Object> resolve(Path file, Map<String, String> env, Map<String, Object> flags) throws IOException {
        Map<String, Object> out = new HashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            p.forEach((k, v) -> out.put(k.toString(), v.toString()));
        }
        env.forEach((k, v) -> {
            if (k.startsWith("CORDON_") && k.length() > 7) {
                out.put(toKey(k.substring(7)), v);
            }
        });
        env.forEach((k, v) -> {
            if (k.startsWith("KAFKA_") && k.length() > 6) {
                out.putIfAbsent(toKey(k.substring(6)), v);
            }
        });
        flags.forEach((k, v) -> {
            if (v != null) {
                out.put(k, v);
            }
        });
        return out;
    }

    static String toKey(String envSuffix) {
        return envSuffix.toLowerCase(Locale.ROOT).replace('_', '.');
    }
}
