package dev.cordon.audit;

import java.util.HashMap;
import java.util.Map;
import dev.cordon.ops.OpsConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of the {@link AuditSink}, in the style of Kafka's own configs. Unknown keys are
 * kept: keys prefixed {@code consumer.} / {@code producer.} are passed (without the prefix) to the
 * Kafka clients, e.g. {@code consumer.security.protocol}; every original is also passed to the Avro
 * serde, which reads Confluent's names ({@code basic.auth.user.info}, …). The {@code ops.*} keys
 * ({@link OpsConfig}: {@code ops.enabled}, {@code ops.host}, {@code ops.port}, default port 9402) configure the
 * metrics and health endpoint.
 *
 * @throws org.apache.kafka.common.config.ConfigException (from the constructor) naming the key when
 *         a required key is missing or a value is out of range
 */
public final class AuditSinkConfig extends AbstractConfig {

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    public static final String BOOTSTRAP_SERVERS_DOC = "Kafka bootstrap servers, host:port[,host:port…].";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    public static final String SCHEMA_REGISTRY_URL_DOC = "Confluent-compatible Schema Registry base URL used to decode AuditEvents.";

    public static final String TOPIC_PREFIX_CONFIG = "topic.prefix";
    public static final String TOPIC_PREFIX_DOC = "Prefix of every Cordon topic name (TopicNames); empty for none.";

    public static final String JDBC_URL_CONFIG = "jdbc.url";
    public static final String JDBC_URL_DOC = "PostgreSQL JDBC URL of the audit database, e.g. jdbc:postgresql://127.0.0.1:5432/cordon.";

    public static final String JDBC_USER_CONFIG = "jdbc.user";
    public static final String JDBC_USER_DOC = "Service role the sink writes as: INSERT and SELECT only, not the table owner.";

    public static final String JDBC_PASSWORD_CONFIG = "jdbc.password";
    public static final String JDBC_PASSWORD_DOC = "Password of the service role.";

    public static final String JDBC_OWNER_USER_CONFIG = "jdbc.owner.user";
    public static final String JDBC_OWNER_USER_DOC = "Owner role that runs the Flyway migrations and creates the service role "
            + "if missing. Optional: when absent the schema must already be migrated.";

    public static final String JDBC_OWNER_PASSWORD_CONFIG = "jdbc.owner.password";
    public static final String JDBC_OWNER_PASSWORD_DOC = "Password of the owner role.";

    public static final String GROUP_ID_CONFIG = "group.id";
    public static final String GROUP_ID_DOC = "Consumer group id. Offsets in Kafka are informational: the sink resumes from the database.";

    public static final String BATCH_MAX_RECORDS_CONFIG = "batch.max.records";
    public static final String BATCH_MAX_RECORDS_DOC = "Most records stored in one database transaction (consumer max.poll.records).";

    public static final String POLL_TIMEOUT_MS_CONFIG = "poll.timeout.ms";
    public static final String POLL_TIMEOUT_MS_DOC = "Consumer poll timeout in milliseconds.";

    public static final String RETRY_BACKOFF_MS_CONFIG = "retry.backoff.ms";
    public static final String RETRY_BACKOFF_MS_DOC = "First wait in milliseconds before retrying a batch that could not be stored; doubles up to retry.backoff.max.ms.";

    public static final String RETRY_BACKOFF_MAX_MS_CONFIG = "retry.backoff.max.ms";
    public static final String RETRY_BACKOFF_MAX_MS_DOC = "Longest wait in milliseconds between retries of a batch.";

    public static final String CHECKPOINT_ORIGIN_CONFIG = "audit.checkpoint.origin";
    public static final String CHECKPOINT_ORIGIN_DOC = "Log identity written as the first line of every checkpoint "
            + "(c2sp.org/tlog-checkpoint: a schema-less URL, no spaces, no '+'); also the name of a generated signing key. "
            + "Give each audit log its own origin.";

    public static final String CHECKPOINT_INTERVAL_MS_CONFIG = "audit.checkpoint.interval.ms";
    public static final String CHECKPOINT_INTERVAL_MS_DOC = "Longest time in milliseconds between signed checkpoints "
            + "while the log grows (a checkpoint is also signed right after every batch holding a directive change).";

    public static final String SIGNING_KEY_FILE_CONFIG = "audit.signing.key.file";
    public static final String SIGNING_KEY_FILE_DOC = "Checkpoint signing key file (signer key line + verifier key line, "
            + "see CheckpointKeys). When absent, a key is generated on first start in audit.signing.key.dir.";

    public static final String SIGNING_KEY_DIR_CONFIG = "audit.signing.key.dir";
    public static final String SIGNING_KEY_DIR_DOC = "Directory of the generated checkpoint signing key "
            + "(checkpoint-signer.key, secret) and its public verifier key (checkpoint-signer.vkey, for auditors).";

    public static final String CHECKPOINTS_TOPIC_CREATE_CONFIG = "audit.checkpoints.topic.create";
    public static final String CHECKPOINTS_TOPIC_CREATE_DOC = "Create the <prefix>audit-checkpoints topic on start if "
            + "missing (1 partition, cleanup.policy=delete, retention.ms=-1).";

    public static final String READY_MAX_LAG_RECORDS_CONFIG = "audit.ready.max.lag.records";
    public static final String READY_MAX_LAG_RECORDS_DOC = "Readiness (GET /health/ready) turns red when the audit lag "
            + "(audit-log end offset, read_committed, minus the next offset to store, summed over partitions) stays above "
            + "this many records for longer than audit.ready.max.lag.ms.";

    public static final String READY_MAX_LAG_MS_CONFIG = "audit.ready.max.lag.ms";
    public static final String READY_MAX_LAG_MS_DOC = "How long, in milliseconds, the audit lag may stay above "
            + "audit.ready.max.lag.records before readiness turns red.";

    public static final String LAG_SAMPLE_INTERVAL_MS_CONFIG = "audit.lag.sample.interval.ms";
    public static final String LAG_SAMPLE_INTERVAL_MS_DOC = "How often, in milliseconds, the audit lag is measured "
            + "(one ListOffsets request to the broker; the metric cordon_audit_lag_records shows the last sample).";

    /** Default origin. */
    public static final String DEFAULT_ORIGIN = "cordon.local/audit-log";
    /** Default key directory: {@code ~/.cordon/audit-keys}. */
    public static final String DEFAULT_KEY_DIR = System.getProperty("user.home") + "/.cordon/audit-keys";

    /** Default consumer group. */
    public static final String DEFAULT_GROUP_ID = "cordon-audit-sink";

    private static final ConfigDef CONFIG = OpsConfig.define(new ConfigDef()
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(SCHEMA_REGISTRY_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
            .define(TOPIC_PREFIX_CONFIG, Type.STRING, "", Importance.MEDIUM, TOPIC_PREFIX_DOC)
            .define(JDBC_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new JdbcUrlValidator(),
                    Importance.HIGH, JDBC_URL_DOC)
            .define(JDBC_USER_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, JDBC_USER_DOC)
            .define(JDBC_PASSWORD_CONFIG, Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, JDBC_PASSWORD_DOC)
            .define(JDBC_OWNER_USER_CONFIG, Type.STRING, null, Importance.MEDIUM, JDBC_OWNER_USER_DOC)
            .define(JDBC_OWNER_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, JDBC_OWNER_PASSWORD_DOC)
            .define(GROUP_ID_CONFIG, Type.STRING, DEFAULT_GROUP_ID, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, GROUP_ID_DOC)
            .define(BATCH_MAX_RECORDS_CONFIG, Type.INT, 500, ConfigDef.Range.between(1, 100_000),
                    Importance.LOW, BATCH_MAX_RECORDS_DOC)
            .define(CHECKPOINT_ORIGIN_CONFIG, Type.STRING, DEFAULT_ORIGIN, new OriginValidator(), Importance.MEDIUM,
                    CHECKPOINT_ORIGIN_DOC)
            .define(CHECKPOINT_INTERVAL_MS_CONFIG, Type.LONG, 60_000L, ConfigDef.Range.between(100, 3_600_000),
                    Importance.MEDIUM, CHECKPOINT_INTERVAL_MS_DOC)
            .define(SIGNING_KEY_FILE_CONFIG, Type.STRING, null, Importance.HIGH, SIGNING_KEY_FILE_DOC)
            .define(SIGNING_KEY_DIR_CONFIG, Type.STRING, DEFAULT_KEY_DIR, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, SIGNING_KEY_DIR_DOC)
            .define(CHECKPOINTS_TOPIC_CREATE_CONFIG, Type.BOOLEAN, true, Importance.LOW, CHECKPOINTS_TOPIC_CREATE_DOC)
            .define(POLL_TIMEOUT_MS_CONFIG, Type.LONG, 200L, ConfigDef.Range.between(1, 60_000),
                    Importance.LOW, POLL_TIMEOUT_MS_DOC)
            .define(RETRY_BACKOFF_MS_CONFIG, Type.LONG, 100L, ConfigDef.Range.between(1, 60_000),
                    Importance.LOW, RETRY_BACKOFF_MS_DOC)
            .define(RETRY_BACKOFF_MAX_MS_CONFIG, Type.LONG, 5_000L, ConfigDef.Range.between(1, 600_000),
                    Importance.LOW, RETRY_BACKOFF_MAX_MS_DOC)
            .define(READY_MAX_LAG_RECORDS_CONFIG, Type.LONG, 10_000L, ConfigDef.Range.atLeast(0),
                    Importance.MEDIUM, READY_MAX_LAG_RECORDS_DOC)
            .define(READY_MAX_LAG_MS_CONFIG, Type.LONG, 60_000L, ConfigDef.Range.between(0, 86_400_000),
                    Importance.MEDIUM, READY_MAX_LAG_MS_DOC)
            .define(LAG_SAMPLE_INTERVAL_MS_CONFIG, Type.LONG, 5_000L, ConfigDef.Range.between(50, 600_000),
                    Importance.LOW, LAG_SAMPLE_INTERVAL_MS_DOC), OpsConfig.DEFAULT_PORT_AUDIT_SINK);

    /**
     * @param originals configuration values (strings or typed values)
     * @throws org.apache.kafka.common.config.ConfigException naming the offending key
     */
    public AuditSinkConfig(Map<?, ?> originals) {
        super(CONFIG, originals, false);
    }

    /** @return the definition, e.g. for generating documentation ({@code configDef().toRst()}) */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    /** @return the topic prefix ({@code ""} for none) */
    public String topicPrefix() {
        return getString(TOPIC_PREFIX_CONFIG);
    }

    /** @return the service role's password as plain text */
    public String jdbcPassword() {
        return getPassword(JDBC_PASSWORD_CONFIG).value();
    }

    /** @return the owner user, or {@code null} when migrations are not run by the sink */
    public String jdbcOwnerUser() {
        return getString(JDBC_OWNER_USER_CONFIG);
    }

    /** @return the owner's password, or {@code null} */
    public String jdbcOwnerPassword() {
        Password p = getPassword(JDBC_OWNER_PASSWORD_CONFIG);
        return p == null ? null : p.value();
    }

    /** @return configuration for the Avro serde: every original plus {@code schema.registry.url} */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> m = new HashMap<>();
        originals().forEach((k, v) -> m.put(k, v instanceof Password p ? p.value() : v));
        m.put(SCHEMA_REGISTRY_URL_CONFIG, getString(SCHEMA_REGISTRY_URL_CONFIG));
        return m;
    }

    /** @return the checkpoint signing key: from {@code audit.signing.key.file}, or generated in the key dir */
    public CheckpointKeys.KeyMaterial signingKey() {
        String file = getString(SIGNING_KEY_FILE_CONFIG);
        if (file != null && !file.isBlank()) {
            return CheckpointKeys.load(java.nio.file.Path.of(file));
        }
        return CheckpointKeys.loadOrGenerate(java.nio.file.Path.of(getString(SIGNING_KEY_DIR_CONFIG)),
                getString(CHECKPOINT_ORIGIN_CONFIG));
    }

    private static final class OriginValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof String s) || s.isEmpty() || !s.matches("[^\\s+]+")) {
                throw new org.apache.kafka.common.config.ConfigException(name, value,
                        "must be non-empty without spaces or '+', e.g. example.com/cordon-audit");
            }
        }

        @Override
        public String toString() {
            return "a schema-less URL without spaces or '+'";
        }
    }

    private static final class JdbcUrlValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof String s) || !s.startsWith("jdbc:postgresql:")) {
                throw new org.apache.kafka.common.config.ConfigException(name, value,
                        "must be a PostgreSQL JDBC URL starting with jdbc:postgresql:");
            }
        }

        @Override
        public String toString() {
            return "jdbc:postgresql:…";
        }
    }
}
