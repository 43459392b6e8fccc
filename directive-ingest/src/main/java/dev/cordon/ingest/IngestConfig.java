package dev.cordon.ingest;

import dev.cordon.ops.OpsConfig;
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
            + "entries <principal>:<roles>:<salt hex>:<sha256 hex> (roles joined by '+'), printed by "
            + "`cordon token new --principal NAME --roles issuer,approver` (Tokens.entry).";

    public static final String AUTH_DISABLED_CONFIG = "ingest.auth.disabled";
    public static final String AUTH_DISABLED_DOC = "Set to true to accept requests without authentication "
            + "(local demos only; logged at WARN). Directives then carry no principal.";

    public static final String REQUEST_TIMEOUT_MS_CONFIG = "ingest.request.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS_DOC = "Upper bound, in ms, of the Kafka work of one request "
            + "(waiting for earlier requests, catch-up, transaction); beyond it the request answers 503.";

    public static final String STARTUP_TIMEOUT_MS_CONFIG = "ingest.startup.timeout.ms";
    public static final String STARTUP_TIMEOUT_MS_DOC = "Upper bound, in ms, of the start-up: connecting, "
            + "initialising the transactional producer and reading directive-changes to its end.";

    public static final String STATE_TOPIC_CONFIG = "ingest.state.topic";
    public static final String STATE_TOPIC_DOC = "Ingest's own compacted state topic (after topic.prefix): revisions "
            + "awaiting approval, answers remembered for Idempotency-Key, audit counters. Created by ingest if missing.";

    public static final String SIGNING_PRIVATE_KEY_CONFIG = "ingest.signing.private.key";
    public static final String SIGNING_PRIVATE_KEY_DOC = "Ed25519 private key that signs every published directive "
            + "change: base64 of its PKCS#8 DER encoding (SigningKey.privateKeyBase64()). A secret. When absent, ingest "
            + "generates a key at start-up and logs its public key (WARN): enforcement-stream must then be told that "
            + "key, and changes signed before a restart are no longer trusted — demos only.";

    public static final String SIGNING_KEY_ID_CONFIG = "ingest.signing.key.id";
    public static final String SIGNING_KEY_ID_DOC = "Key id sent in the cordon.signature.key-id header; default "
            + "ed25519-<first 16 hex digits of SHA-256 of the public key>.";

    public static final String SIGNING_TRUSTED_KEYS_CONFIG = "ingest.signing.trusted.keys";
    public static final String SIGNING_TRUSTED_KEYS_DOC = "Other public keys whose signed changes ingest's catch-up "
            + "accepts (key rotation): comma-separated <keyId>:<base64 X.509 public key> (SigningKey.trustedEntry()). "
            + "Ingest's own key is always trusted.";

    public static final String APPROVAL_REQUIRED_CONFIG = "ingest.approval.required";
    public static final String APPROVAL_REQUIRED_DOC = "Four-eyes: an ENFORCE revision is PENDING until a different "
            + "principal with role approver approves it. Ignored (off) when ingest.auth.disabled=true, where "
            + "principals cannot be told apart.";

    public static final String APPROVAL_EXEMPT_CONFIG = "ingest.approval.exempt";
    public static final String APPROVAL_EXEMPT_DOC = "What takes effect without approval: any of LIFT and DRY_RUN.";

    public static final String BREAK_GLASS_WINDOW_MS_CONFIG = "ingest.break.glass.window.ms";
    public static final String BREAK_GLASS_WINDOW_MS_DOC = "A break-glass revision takes effect at once with "
            + "effectiveUntil = acceptance + this window (ms); an approval within the window publishes the next "
            + "revision without that bound.";

    public static final String PREVIEW_TIMEOUT_MS_CONFIG = "ingest.preview.timeout.ms";
    public static final String PREVIEW_TIMEOUT_MS_DOC = "How long POST /v1/directives:preview waits for the "
            + "aggregated impact report (ms) before answering 202 with the requestId to poll.";

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
                    try {
                        Tokens.parse(String.valueOf(entries.get(i)));
                    } catch (IllegalArgumentException e) {
                        // the message never echoes the value: it may be a token pasted by mistake
                        throw new ConfigException(name + " entry " + (i + 1) + " " + e.getMessage());
                    }
                }
            }, Importance.HIGH, AUTH_TOKENS_DOC)
            .define(AUTH_DISABLED_CONFIG, Type.BOOLEAN, false, Importance.HIGH, AUTH_DISABLED_DOC)
            .define(REQUEST_TIMEOUT_MS_CONFIG, Type.LONG, 30_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
                    REQUEST_TIMEOUT_MS_DOC)
            .define(STARTUP_TIMEOUT_MS_CONFIG, Type.LONG, 60_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
                    STARTUP_TIMEOUT_MS_DOC)
            .define(STATE_TOPIC_CONFIG, Type.STRING, "directive-ingest-state", new ConfigDef.NonEmptyString(),
                    Importance.LOW, STATE_TOPIC_DOC)
            .define(SIGNING_PRIVATE_KEY_CONFIG, Type.PASSWORD, null, Importance.HIGH, SIGNING_PRIVATE_KEY_DOC)
            .define(SIGNING_KEY_ID_CONFIG, Type.STRING, null, (name, value) -> {
                if (value != null && !dev.cordon.schemas.signing.SigningKey.KEY_ID.matcher((String) value).matches()) {
                    throw new ConfigException(name, value, "use 1 to 64 letters, digits and . _ -");
                }
            }, Importance.MEDIUM, SIGNING_KEY_ID_DOC)
            .define(SIGNING_TRUSTED_KEYS_CONFIG, Type.LIST, List.of(), (name, value) -> {
                try {
                    dev.cordon.schemas.signing.TrustedKeys.parse(((List<?>) value).stream().map(String::valueOf).toList());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name + ": " + e.getMessage());
                }
            }, Importance.MEDIUM, SIGNING_TRUSTED_KEYS_DOC)
            .define(APPROVAL_REQUIRED_CONFIG, Type.BOOLEAN, true, Importance.HIGH, APPROVAL_REQUIRED_DOC)
            .define(APPROVAL_EXEMPT_CONFIG, Type.LIST, List.of("LIFT", "DRY_RUN"), (name, value) -> {
                for (Object v : (List<?>) value) {
                    if (!List.of("LIFT", "DRY_RUN").contains(String.valueOf(v).trim())) {
                        throw new ConfigException(name, value, "`" + v + "` is not LIFT or DRY_RUN");
                    }
                }
            }, Importance.MEDIUM, APPROVAL_EXEMPT_DOC)
            .define(BREAK_GLASS_WINDOW_MS_CONFIG, Type.LONG, 1_800_000L, ConfigDef.Range.atLeast(1_000), Importance.MEDIUM,
                    BREAK_GLASS_WINDOW_MS_DOC)
            .define(PREVIEW_TIMEOUT_MS_CONFIG, Type.LONG, 5_000L, ConfigDef.Range.between(0, 600_000), Importance.LOW,
                    PREVIEW_TIMEOUT_MS_DOC);

    static {
        OpsConfig.define(CONFIG, OpsConfig.DEFAULT_PORT_INGEST); // ops.enabled, ops.host, ops.port
    }

    /**
     * @param props configuration; see the {@code *_CONFIG} constants
     * @throws ConfigException naming the key when a value is missing or invalid, or when authentication is
     *                         neither configured nor explicitly disabled
     */
    public IngestConfig(Map<?, ?> props) {
        super(CONFIG, props);
        if (!getBoolean(AUTH_DISABLED_CONFIG) && getList(AUTH_TOKENS_CONFIG).isEmpty()) {
            throw new ConfigException(AUTH_TOKENS_CONFIG + " is empty: nobody could issue directives. Configure "
                    + "token entries (env CORDON_INGEST_AUTH_TOKENS; make one with `cordon token new --principal NAME "
                    + "--roles issuer`) or set " + AUTH_DISABLED_CONFIG + "=true explicitly to run "
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
