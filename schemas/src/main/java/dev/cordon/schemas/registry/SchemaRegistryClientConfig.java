package dev.cordon.schemas.registry;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of {@link RestSchemaRegistryClient}, with Confluent's config names
 * ({@code io.confluent.kafka.schemaregistry.client.SchemaRegistryClientConfig} and
 * {@code AbstractKafkaSchemaSerDeConfig}), so a Confluent client configuration works unchanged.
 */
public class SchemaRegistryClientConfig extends AbstractConfig {

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    public static final String SCHEMA_REGISTRY_URL_DOC = "Comma-separated list of Schema Registry base URLs "
            + "(http or https, optionally with a path such as /apis/ccompat/v7). On a connection failure the "
            + "client tries the next one.";

    public static final String BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE_DOC = "Where HTTP basic-auth credentials come from: "
            + "USER_INFO (from basic.auth.user.info) or URL (from the user-info part of each URL, "
            + "http://user:password@host:port; no credentials when the URL has none).";

    public static final String USER_INFO_CONFIG = "basic.auth.user.info";
    public static final String USER_INFO_DOC = "Basic-auth credentials as user:password, used when "
            + "basic.auth.credentials.source=USER_INFO. Also read from schema.registry.basic.auth.user.info.";
    /** Alias accepted for {@link #USER_INFO_CONFIG}, as Confluent's serdes accept it. */
    public static final String USER_INFO_ALIAS = "schema.registry.basic.auth.user.info";

    public static final String HTTP_CONNECT_TIMEOUT_MS_CONFIG = "http.connect.timeout.ms";
    public static final String HTTP_CONNECT_TIMEOUT_MS_DOC = "TCP connect timeout per URL, in milliseconds.";

    public static final String HTTP_READ_TIMEOUT_MS_CONFIG = "http.read.timeout.ms";
    public static final String HTTP_READ_TIMEOUT_MS_DOC = "Time to wait for a whole response, in milliseconds.";

    /** The definitions, for configs that extend this one. */
    public static ConfigDef baseConfigDef() {
        return new ConfigDef()
                .define(SCHEMA_REGISTRY_URL_CONFIG, Type.LIST, List.of(), SchemaRegistryClientConfig::validateUrls,
                        Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
                .define(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, Type.STRING, "URL",
                        ConfigDef.CaseInsensitiveValidString.in("URL", "USER_INFO"), Importance.MEDIUM,
                        BASIC_AUTH_CREDENTIALS_SOURCE_DOC)
                .define(USER_INFO_CONFIG, Type.PASSWORD, "", Importance.MEDIUM, USER_INFO_DOC)
                .define(HTTP_CONNECT_TIMEOUT_MS_CONFIG, Type.INT, 10_000, ConfigDef.Range.atLeast(1),
                        Importance.LOW, HTTP_CONNECT_TIMEOUT_MS_DOC)
                .define(HTTP_READ_TIMEOUT_MS_CONFIG, Type.INT, 30_000, ConfigDef.Range.atLeast(1),
                        Importance.LOW, HTTP_READ_TIMEOUT_MS_DOC);
    }

    /** @param originals configs by Confluent name; unknown keys are ignored */
    public SchemaRegistryClientConfig(Map<String, ?> originals) {
        this(baseConfigDef(), originals);
    }

    protected SchemaRegistryClientConfig(ConfigDef definition, Map<String, ?> originals) {
        super(definition, withAliases(originals), false);
    }

    /** @return the configured base URLs, without trailing slashes (may be empty) */
    public List<String> urls() {
        return getList(SCHEMA_REGISTRY_URL_CONFIG).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> s.endsWith("/") ? s.substring(0, s.length() - 1) : s)
                .toList();
    }

    /** @return {@code USER_INFO} or {@code URL} */
    public String credentialsSource() {
        return getString(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG).toUpperCase(java.util.Locale.ROOT);
    }

    /** @return {@code user:password}, or {@code ""} */
    public String userInfo() {
        Password p = getPassword(USER_INFO_CONFIG);
        return p == null ? "" : p.value();
    }

    /** @return connect timeout in ms */
    public int connectTimeoutMs() {
        return getInt(HTTP_CONNECT_TIMEOUT_MS_CONFIG);
    }

    /** @return response timeout in ms */
    public int readTimeoutMs() {
        return getInt(HTTP_READ_TIMEOUT_MS_CONFIG);
    }

    private static Map<String, Object> withAliases(Map<String, ?> originals) {
        Map<String, Object> copy = new HashMap<>(originals);
        if (!copy.containsKey(USER_INFO_CONFIG) && copy.containsKey(USER_INFO_ALIAS)) {
            copy.put(USER_INFO_CONFIG, copy.get(USER_INFO_ALIAS));
        }
        return copy;
    }

    private static void validateUrls(String name, Object value) {
        if (value == null) {
            return;
        }
        for (Object o : (List<?>) value) {
            String url = String.valueOf(o).trim();
            if (url.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, "'" + url + "' is not a URL; expected e.g. http://127.0.0.1:8081");
            }
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new ConfigException(name, value,
                        "'" + url + "' is not an http(s) URL with a host; expected e.g. http://127.0.0.1:8081");
            }
        }
    }
}
