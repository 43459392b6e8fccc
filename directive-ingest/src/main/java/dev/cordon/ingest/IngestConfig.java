package dev.cordon.ingest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of the directive-ingest service, in the style of Kafka's own configs.
 *
 * <p>Besides the keys below: every key starting with {@value #KAFKA_PREFIX} is passed, without the prefix,
 * to the Kafka producer and consumer (e.g. {@code kafka.security.protocol}); every key is passed as is to the
 * Avro serde (Confluent's names: {@code schema.registry.url}, {@code basic.auth.user.info},
 * {@code auto.register.schemas}, ...).
 *
 * <p>Authentication is on by default: either {@value #AUTH_TOKENS_CONFIG} lists at least one token entry, or
 * {@value #AUTH_DISABLED_CONFIG} is explicitly {@code true}; otherwise the constructor throws.
 */
public final class IngestConfig extends AbstractConfig {
    public static final String KAFKA_PREFIX = "kafka.";

    public static final String BOOTSTRAP_SERVERS_CONFIG = CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG;
    public static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers, host:port[,host:port...].";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    public static final String SCHEMA_REGISTRY_URL_DOC = "Confluent-compatible Schema Registry base URL.";

    public static final String TOPIC_PREFIX_CONFIG = "topic.prefix";
    public static final String TOPIC_PREFIX_DOC = "Prepended verbatim to every Cordon topic name (TopicNames).";

    public static final String HOST_CONFIG = "ingest.host";
    public static final String HOST_DOC = "Address the HTTP API binds to. Loopback by default; set 0.0.0.0 "
            + "deliberately to expose it.";

    public static final String PORT_CONFIG = "ingest.port";
    public static final String PORT_DOC = "TCP port of the HTTP API; 0 picks a free port (read it from "
            + "IngestService.port()).";

    public static final String TRANSACTIONAL_ID_CONFIG = "ingest.transactional.id";
    public static final String TRANSACTIONAL_ID_DOC = "Kafka transactional.id shared by EVERY ingest instance of a "
            + "deployment: sharing it is what serialises writes across instances (see DirectiveLog). Two "
            + "deployments on one cluster need different ids (and topic prefixes).";

    public static final String AUTH_TOKENS_CONFIG = "ingest.auth.tokens";
    public static final String AUTH_TOKENS_DOC = "Accepted bearer tokens, as salted hashes: comma-separated "
            + "entries <principal>:<salt hex>:<sha256 hex>, made by Tokens.entry(principal, token).";

    public static final String AUTH_DISABLED_CONFIG = "ingest.auth.disabled";
    public static final String AUTH_DISABLED_DOC = "Set to true to accept requests without authentication "
            + "(local demos only; logged at WARN). Directives then carry no principal.";

    public static final String REQUEST_TIMEOUT_MS_CONFIG = "ingest.request.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS_DOC = "Upper bound, in ms, of the Kafka work of one request "
            + "(waiting for earlier requests, catch-up, transaction); beyond it the request answers 503.";

    public static final String STARTUP_TIMEOUT_MS_CONFIG = "ingest.startup.timeout.ms";
    public static final String STARTUP_TIMEOUT_MS_DOC = "Upper bound, in ms, of the start-up: connecting, "
            + "initialising the transactional producer and reading directive-changes to its end.";

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
                if (value == null || ((List<?>) value).isEmpty()) {
                    throw new ConfigException(name, value, "at least one host:port is required");
                }
            }, Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(SCHEMA_REGISTRY_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
            .define(TOPIC_PREFIX_CONFIG, Type.STRING, "", Importance.MEDIUM, TOPIC_PREFIX_DOC)
            .define(HOST_CONFIG, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM, HOST_DOC)
            .define(PORT_CONFIG, Type.INT, 8080, ConfigDef.Range.between(0, 65535), Importance.MEDIUM, PORT_DOC)
            .define(TRANSACTIONAL_ID_CONFIG, Type.STRING, "cordon-directive-ingest", new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, TRANSACTIONAL_ID_DOC)
            .define(AUTH_TOKENS_CONFIG, Type.LIST, List.of(), (name, value) -> {
                List<?> entries = (List<?>) value;
                for (int i = 0; i < entries.size(); i++) {
                    if (!Tokens.ENTRY.matcher(String.valueOf(entries.get(i)).trim()).matches()) {
                        // never echo the value: it may be a token pasted by mistake
                        throw new ConfigException(name + " entry " + (i + 1) + " is not "
                                + "<principal>:<32 hex salt>:<64 hex sha256>; generate entries with "
                                + "Tokens.entry(principal, token)");
                    }
                }
            }, Importance.HIGH, AUTH_TOKENS_DOC)
            .define(AUTH_DISABLED_CONFIG, Type.BOOLEAN, false, Importance.HIGH, AUTH_DISABLED_DOC)
            .define(REQUEST_TIMEOUT_MS_CONFIG, Type.LONG, 30_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
                    REQUEST_TIMEOUT_MS_DOC)
            .define(STARTUP_TIMEOUT_MS_CONFIG, Type.LONG, 60_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
                    STARTUP_TIMEOUT_MS_DOC);

    /**
     * @param props configuration; see the {@code *_CONFIG} constants
     * @throws ConfigException naming the key when a value is missing or invalid, or when authentication is
     *                         neither configured nor explicitly disabled
     */
    public IngestConfig(Map<?, ?> props) {
        super(CONFIG, props);
        if (!getBoolean(AUTH_DISABLED_CONFIG) && getList(AUTH_TOKENS_CONFIG).isEmpty()) {
            throw new ConfigException(AUTH_TOKENS_CONFIG + " is empty: nobody could issue directives. Configure "
                    + "token entries (Tokens.entry) or set " + AUTH_DISABLED_CONFIG + "=true explicitly to run "
                    + "without authentication");
        }
    }

    /** @return the definition of every key, e.g. for {@code toHtml()} or a CLI's help */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    /** @return settings for the Kafka clients: bootstrap.servers plus every {@value #KAFKA_PREFIX} key, unprefixed */
    public Map<String, Object> kafkaClientConfig() {
        Map<String, Object> config = new HashMap<>(originalsWithPrefix(KAFKA_PREFIX));
        config.put(BOOTSTRAP_SERVERS_CONFIG, String.join(",", getList(BOOTSTRAP_SERVERS_CONFIG)));
        return config;
    }

    /** @return settings for the Avro serde: every original key, with schema.registry.url */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> config = new HashMap<>(originals());
        config.put(SCHEMA_REGISTRY_URL_CONFIG, getString(SCHEMA_REGISTRY_URL_CONFIG));
        return config;
    }
}
