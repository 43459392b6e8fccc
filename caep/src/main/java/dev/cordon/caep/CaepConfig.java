package dev.cordon.caep;

import dev.cordon.ops.OpsConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of the {@link CaepTransmitter}, like Kafka's own configs ({@link AbstractConfig} +
 * {@link ConfigDef}). Precedence when run by the {@code cordon} command: defaults &lt; {@code --config} file &lt;
 * {@code CORDON_*} environment ({@code CORDON_CAEP_ISSUER} → {@code caep.issuer}) &lt; flags.
 *
 * <p><b>Receivers.</b> {@value #RECEIVERS_CONFIG} lists receiver names ({@code [a-z0-9-]+}, so that
 * {@code CORDON_CAEP_RECEIVER_SIEM_PUSH_URL} maps to {@code caep.receiver.siem.push.url}); each name {@code N}
 * is then configured by the per-receiver keys {@code caep.receiver.N.*} ({@link #RECEIVER_KEYS}):
 * <ul>
 *   <li>{@code audience} (required): the SET's {@code aud};</li>
 *   <li>{@code delivery}: {@code push} (RFC 8935, the transmitter POSTs each SET to {@code push.url}) or
 *       {@code poll} (RFC 8936, the receiver polls {@code POST /ssf/poll} with a bearer token);</li>
 *   <li>{@code push.url} (push): the receiver's SET endpoint; {@code push.authorization} (push, optional): the
 *       exact {@code Authorization} header value to send, e.g. {@code Bearer abc};</li>
 *   <li>{@code poll.token.sha256} (poll): lower-case hex SHA-256 of the bearer token the receiver presents
 *       (only the hash is configured; see {@link #sha256Hex(String)}).</li>
 * </ul>
 *
 * <p><b>Operations.</b> The {@code ops.*} keys ({@link OpsConfig}: {@code ops.enabled}, {@code ops.host},
 * {@code ops.port}, default port 9403) configure the metrics and health endpoint.
 *
 * @see CaepTransmitter
 */
public final class CaepConfig extends AbstractConfig {
    /** Prefix of Kafka client settings passed to the consumer unprefixed (as directive-ingest does). */
    public static final String KAFKA_PREFIX = "kafka.";

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    public static final String BOOTSTRAP_SERVERS_DOC = "Kafka bootstrap servers, host:port[,host:port...].";
    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    public static final String SCHEMA_REGISTRY_URL_DOC = "Confluent-API Schema Registry base URL(s), to decode RevocationCommands.";
    public static final String TOPIC_PREFIX_CONFIG = "topic.prefix";
    public static final String TOPIC_PREFIX_DOC = "Prepended verbatim to every Cordon topic name (TopicNames).";

    public static final String JDBC_URL_CONFIG = "jdbc.url";
    public static final String JDBC_URL_DOC = "PostgreSQL JDBC URL of the delivery-state database, e.g. "
            + "jdbc:postgresql://127.0.0.1:5432/cordon. The transmitter keeps its tables in schema cordon_caep (Flyway).";
    public static final String JDBC_USER_CONFIG = "jdbc.user";
    public static final String JDBC_USER_DOC = "Database role; it must be allowed to create schema cordon_caep on first start.";
    public static final String JDBC_PASSWORD_CONFIG = "jdbc.password";
    public static final String JDBC_PASSWORD_DOC = "Password of jdbc.user.";

    public static final String ISSUER_CONFIG = "caep.issuer";
    public static final String ISSUER_DOC = "The SETs' iss: this transmitter's issuer identifier, an https URL receivers "
            + "are configured to trust (SSF 1.0 'issuer'), e.g. https://cordon.example.com.";
    public static final String HTTP_HOST_CONFIG = "caep.http.host";
    public static final String HTTP_HOST_DOC = "Address the HTTP endpoints (RFC 8936 poll, JWKS, SSF configuration) bind to. "
            + "Loopback by default; set 0.0.0.0 only behind TLS termination.";
    public static final String HTTP_PORT_CONFIG = "caep.http.port";
    public static final String HTTP_PORT_DOC = "TCP port of the HTTP endpoints; 0 picks a free port (see CaepTransmitter.port()).";
    public static final String SIGNING_KEY_FILE_CONFIG = "caep.signing.key.file";
    public static final String SIGNING_KEY_FILE_DOC = "File holding the RS256 signing key as a private JWK (JSON). Created "
            + "with a new RSA key of caep.signing.key.bits (owner-only permissions) when missing. Keep it: receivers "
            + "verify SETs with its public half, served at /jwks.json.";
    public static final String SIGNING_KEY_BITS_CONFIG = "caep.signing.key.bits";
    public static final String SIGNING_KEY_BITS_DOC = "RSA modulus size of a generated key, bits (CAEP interoperability "
            + "profile: at least 2048).";
    public static final String SUBJECT_USER_ISSUER_CONFIG = "caep.subject.user.issuer";
    public static final String SUBJECT_USER_ISSUER_DOC = "Issuer of the user ids gateways put in session events. When set, "
            + "sub_id.user is {format: iss_sub, iss: <this>, sub: userId} (what CAEP interoperability receivers match on); "
            + "when empty, {format: opaque, id: userId}.";
    public static final String START_FROM_CONFIG = "caep.start.from";
    public static final String START_FROM_DOC = "Where a transmitter with no stored position starts reading revocation-commands: "
            + "earliest (every retained command becomes a SET) or latest. Once positions are stored (in the same database "
            + "transaction as the SETs), they rule.";
    public static final String RECEIVERS_CONFIG = "caep.receivers";
    public static final String RECEIVERS_DOC = "Names of the receivers ([a-z0-9-]+); each is configured by caep.receiver.<name>.* "
            + "(audience, delivery, push.url, push.authorization, poll.token.sha256).";
    public static final String PUSH_TIMEOUT_MS_CONFIG = "caep.push.timeout.ms";
    public static final String PUSH_TIMEOUT_MS_DOC = "Time allowed for one push (connect + answer), ms.";
    public static final String PUSH_BACKOFF_MS_CONFIG = "caep.push.retry.backoff.ms";
    public static final String PUSH_BACKOFF_MS_DOC = "Wait before the first retry of a failed push, ms; doubles per attempt up to caep.push.retry.backoff.max.ms.";
    public static final String PUSH_BACKOFF_MAX_MS_CONFIG = "caep.push.retry.backoff.max.ms";
    public static final String PUSH_BACKOFF_MAX_MS_DOC = "Longest wait between retries of a push, ms.";
    public static final String PUSH_MAX_ATTEMPTS_CONFIG = "caep.push.max.attempts";
    public static final String PUSH_MAX_ATTEMPTS_DOC = "Attempts after which a SET the receiver never accepted is marked FAILED (kept, logged).";
    public static final String POLL_MAX_EVENTS_CONFIG = "caep.poll.max.events";
    public static final String POLL_MAX_EVENTS_DOC = "Upper bound of SETs in one poll response, whatever maxEvents asks.";
    public static final String POLL_WAIT_MS_CONFIG = "caep.poll.wait.ms";
    public static final String POLL_WAIT_MS_DOC = "How long a poll with returnImmediately=false waits for a SET, ms (RFC 8936 long polling).";
    public static final String POLL_REDELIVERY_MS_CONFIG = "caep.poll.redelivery.ms";
    public static final String POLL_REDELIVERY_MS_DOC = "A polled SET that is neither acknowledged nor rejected (setErrs) is "
            + "handed out again after this many ms.";

    /** Prefix of the per-receiver keys: {@code caep.receiver.<name>.<key>}. */
    public static final String RECEIVER_PREFIX = "caep.receiver.";
    /** Per-receiver key suffixes accepted after {@code caep.receiver.<name>.}. */
    public static final Set<String> RECEIVER_KEYS = Set.of("audience", "delivery", "push.url", "push.authorization",
            "poll.token.sha256");

    private static final Pattern RECEIVER_NAME = Pattern.compile("[a-z0-9-]+");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    private static final ConfigDef CONFIG = OpsConfig.define(new ConfigDef()
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(SCHEMA_REGISTRY_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
            .define(TOPIC_PREFIX_CONFIG, Type.STRING, "", Importance.MEDIUM, TOPIC_PREFIX_DOC)
            .define(JDBC_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
                if (value == null || !value.toString().startsWith("jdbc:postgresql:")) {
                    throw new ConfigException(name, value, "expected a PostgreSQL JDBC URL, e.g. jdbc:postgresql://127.0.0.1:5432/cordon");
                }
            }, Importance.HIGH, JDBC_URL_DOC)
            .define(JDBC_USER_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, JDBC_USER_DOC)
            .define(JDBC_PASSWORD_CONFIG, Type.PASSWORD, "", Importance.HIGH, JDBC_PASSWORD_DOC)
            .define(ISSUER_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, ISSUER_DOC)
            .define(HTTP_HOST_CONFIG, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM, HTTP_HOST_DOC)
            .define(HTTP_PORT_CONFIG, Type.INT, 8090, Range.between(0, 65535), Importance.MEDIUM, HTTP_PORT_DOC)
            .define(SIGNING_KEY_FILE_CONFIG, Type.STRING,
                    System.getProperty("user.home") + "/.cordon/caep-signing-key.jwk.json", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, SIGNING_KEY_FILE_DOC)
            .define(SIGNING_KEY_BITS_CONFIG, Type.INT, 2048, Range.between(2048, 8192), Importance.LOW, SIGNING_KEY_BITS_DOC)
            .define(SUBJECT_USER_ISSUER_CONFIG, Type.STRING, "", Importance.MEDIUM, SUBJECT_USER_ISSUER_DOC)
            .define(START_FROM_CONFIG, Type.STRING, "earliest", ConfigDef.ValidString.in("earliest", "latest"),
                    Importance.MEDIUM, START_FROM_DOC)
            .define(RECEIVERS_CONFIG, Type.LIST, List.of(), (name, value) -> {
                for (Object o : (List<?>) value) {
                    if (!RECEIVER_NAME.matcher(o.toString()).matches()) {
                        throw new ConfigException(name, value, "receiver name '" + o + "' must match [a-z0-9-]+");
                    }
                }
            }, Importance.HIGH, RECEIVERS_DOC)
            .define(PUSH_TIMEOUT_MS_CONFIG, Type.LONG, 10_000L, Range.between(10, 600_000), Importance.LOW, PUSH_TIMEOUT_MS_DOC)
            .define(PUSH_BACKOFF_MS_CONFIG, Type.LONG, 1_000L, Range.between(1, 3_600_000), Importance.LOW, PUSH_BACKOFF_MS_DOC)
            .define(PUSH_BACKOFF_MAX_MS_CONFIG, Type.LONG, 300_000L, Range.between(1, 86_400_000), Importance.LOW,
                    PUSH_BACKOFF_MAX_MS_DOC)
            .define(PUSH_MAX_ATTEMPTS_CONFIG, Type.INT, 100, Range.atLeast(1), Importance.LOW, PUSH_MAX_ATTEMPTS_DOC)
            .define(POLL_MAX_EVENTS_CONFIG, Type.INT, 100, Range.between(1, 10_000), Importance.LOW, POLL_MAX_EVENTS_DOC)
            .define(POLL_WAIT_MS_CONFIG, Type.LONG, 25_000L, Range.between(0, 300_000), Importance.LOW, POLL_WAIT_MS_DOC)
            .define(POLL_REDELIVERY_MS_CONFIG, Type.LONG, 30_000L, Range.between(1, 86_400_000), Importance.LOW,
                    POLL_REDELIVERY_MS_DOC), OpsConfig.DEFAULT_PORT_CAEP);

    /** How a receiver gets its SETs. */
    public enum Delivery {
        /** RFC 8935: the transmitter POSTs each SET to the receiver. */
        PUSH,
        /** RFC 8936: the receiver polls the transmitter. */
        POLL
    }

    /**
     * One configured receiver.
     *
     * @param name              config name ({@code [a-z0-9-]+}); also the key of its delivery state
     * @param audience          the SETs' {@code aud}
     * @param delivery          push or poll
     * @param pushUrl           push: the receiver's endpoint; poll: {@code null}
     * @param pushAuthorization push: the {@code Authorization} header value, or {@code null}
     * @param pollTokenSha256   poll: hex SHA-256 of its bearer token; push: {@code null}
     */
    public record Receiver(String name, String audience, Delivery delivery, String pushUrl, String pushAuthorization,
                           String pollTokenSha256) {
    }

    private final List<Receiver> receivers;

    /**
     * @param originals configuration; see the {@code *_CONFIG} constants and the class comment
     * @throws ConfigException naming the key when a value is missing or invalid (including every per-receiver key)
     */
    public CaepConfig(Map<?, ?> originals) {
        super(CONFIG, originals);
        this.receivers = parseReceivers();
    }

    /** @return the definition of every fixed key (the per-receiver keys are described in the class comment) */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    /** @return the receivers, in {@value #RECEIVERS_CONFIG} order */
    public List<Receiver> receivers() {
        return receivers;
    }

    /**
     * @param token a poll receiver's bearer token
     * @return the lower-case hex SHA-256 of its UTF-8 bytes, the value of {@code caep.receiver.<name>.poll.token.sha256}
     */
    public static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /** @return settings for the Kafka consumer: known consumer keys among the originals, then {@value #KAFKA_PREFIX} keys unprefixed */
    public Map<String, Object> kafkaClientConfig() {
        Map<String, Object> config = new HashMap<>();
        Set<String> consumerKeys = ConsumerConfig.configNames();
        originals().forEach((k, v) -> {
            if (consumerKeys.contains(k)) {
                config.put(k, v);
            }
        });
        config.putAll(originalsWithPrefix(KAFKA_PREFIX));
        config.put(BOOTSTRAP_SERVERS_CONFIG, getString(BOOTSTRAP_SERVERS_CONFIG));
        return config;
    }

    /** @return settings for the Avro serde: every original key, with schema.registry.url */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> config = new HashMap<>(originals());
        config.put(SCHEMA_REGISTRY_URL_CONFIG, getString(SCHEMA_REGISTRY_URL_CONFIG));
        return config;
    }

    /** @return the JDBC password ({@code ""} when none) */
    public String jdbcPassword() {
        Password p = getPassword(JDBC_PASSWORD_CONFIG);
        return p == null ? "" : p.value();
    }

    private List<Receiver> parseReceivers() {
        Map<String, Object> perReceiver = originalsWithPrefix(RECEIVER_PREFIX);
        List<String> names = getList(RECEIVERS_CONFIG);
        for (String key : perReceiver.keySet()) {
            int dot = key.indexOf('.');
            String name = dot < 0 ? key : key.substring(0, dot);
            String suffix = dot < 0 ? "" : key.substring(dot + 1);
            if (!names.contains(name)) {
                throw new ConfigException(RECEIVER_PREFIX + key, perReceiver.get(key),
                        "receiver '" + name + "' is not listed in " + RECEIVERS_CONFIG + " " + names);
            }
            if (!RECEIVER_KEYS.contains(suffix)) {
                throw new ConfigException(RECEIVER_PREFIX + key, perReceiver.get(key),
                        "unknown receiver setting '" + suffix + "'; valid: " + RECEIVER_KEYS);
            }
        }
        List<Receiver> out = new ArrayList<>();
        for (String name : names) {
            String p = RECEIVER_PREFIX + name + ".";
            String audience = string(perReceiver, name + ".audience");
            if (audience == null || audience.isBlank()) {
                throw new ConfigException(p + "audience", audience, "required: the aud of the SETs this receiver gets");
            }
            String deliveryName = string(perReceiver, name + ".delivery");
            Delivery delivery;
            try {
                delivery = Delivery.valueOf((deliveryName == null ? "push" : deliveryName).trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(p + "delivery", deliveryName, "expected push (RFC 8935) or poll (RFC 8936)");
            }
            String url = string(perReceiver, name + ".push.url");
            String authorization = string(perReceiver, name + ".push.authorization");
            String tokenHash = string(perReceiver, name + ".poll.token.sha256");
            if (delivery == Delivery.PUSH) {
                if (url == null || !(url.startsWith("https://") || url.startsWith("http://"))) {
                    throw new ConfigException(p + "push.url", url, "required for push delivery: the receiver's http(s) SET endpoint");
                }
                if (tokenHash != null) {
                    throw new ConfigException(p + "poll.token.sha256", "[hidden]", "only for delivery=poll");
                }
            } else {
                if (tokenHash == null || !SHA256_HEX.matcher(tokenHash.trim()).matches()) {
                    throw new ConfigException(p + "poll.token.sha256", "[hidden]",
                            "required for poll delivery: 64 lower-case hex digits, the SHA-256 of the receiver's bearer token");
                }
                if (url != null || authorization != null) {
                    throw new ConfigException(p + "push.url", url, "push.url and push.authorization are only for delivery=push");
                }
                tokenHash = tokenHash.trim();
            }
            out.add(new Receiver(name, audience.trim(), delivery, url, authorization, tokenHash));
        }
        return List.copyOf(out);
    }

    private static String string(Map<String, Object> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        return v instanceof Password pw ? pw.value() : v.toString();
    }
}
