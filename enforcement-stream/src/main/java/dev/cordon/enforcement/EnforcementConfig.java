package dev.cordon.enforcement;

import dev.cordon.schemas.signing.TrustedKeys;
import dev.cordon.enforcement.internal.BoundedRocksDbConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Configuration of the enforcement service, in Kafka's own style. Besides the keys below:
 * <ul>
 *   <li>keys starting {@value #STREAMS_PREFIX} are forwarded to Kafka Streams without the prefix (e.g.
 *       {@code streams.producer.linger.ms}, {@code streams.security.protocol}); they override Cordon's defaults,
 *       except {@code processing.guarantee}, which must stay {@code exactly_once_v2};</li>
 *   <li>keys starting {@value #SERDE_PREFIX} are forwarded to the registry serde without the prefix (e.g.
 *       {@code serde.basic.auth.user.info}, {@code serde.auto.register.schemas}).</li>
 * </ul>
 * Cordon's Streams defaults (DESIGN.md "Fan-out at scale"): {@code exactly_once_v2},
 * {@code ensure.explicit.internal.resource.naming=true}, {@code poll.ms=10}, {@code commit.interval.ms=100}, {@code max.task.idle.ms=-1},
 * producer {@code batch.size=262144}, {@code linger.ms=5}, {@code acks=all}, bounded RocksDB memory.
 */
public final class EnforcementConfig extends AbstractConfig {
    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    public static final String BOOTSTRAP_SERVERS_DOC = "Kafka bootstrap servers, host:port[,host:port].";
    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    public static final String SCHEMA_REGISTRY_URL_DOC = "Confluent-API schema registry base URL(s).";
    public static final String TOPIC_PREFIX_CONFIG = "topic.prefix";
    public static final String TOPIC_PREFIX_DOC = "Prefix prepended verbatim to every Cordon topic name (e.g. \"prod.\").";
    public static final String APPLICATION_ID_CONFIG = "application.id";
    public static final String APPLICATION_ID_DOC = "Kafka Streams application id: consumer group and internal topic prefix.";
    public static final String STATE_DIR_CONFIG = "state.dir";
    public static final String STATE_DIR_DOC = "Directory of the local state stores.";
    public static final String SESSION_PARTITIONS_CONFIG = "session.partitions";
    public static final String SESSION_PARTITIONS_DOC = "Partition count of session-events (checked at startup) and of the directive multicast topic.";
    public static final String NUM_STREAM_THREADS_CONFIG = "num.stream.threads";
    public static final String NUM_STREAM_THREADS_DOC = "Stream threads of this instance.";
    public static final String PROCESSING_GUARANTEE_CONFIG = "processing.guarantee";
    public static final String PROCESSING_GUARANTEE_DOC = "Must be exactly_once_v2: commands, audit entries and state change together or not at all.";
    public static final String SWEEP_BATCH_SIZE_CONFIG = "sweep.batch.size";
    public static final String SWEEP_BATCH_SIZE_DOC = "Session entries a task examines per sweep punctuation "
            + "(the sweep throttle: a fan-out of N sessions on one task takes about N / sweep.batch.size * sweep.interval.ms).";
    public static final String SWEEP_INTERVAL_MS_CONFIG = "sweep.interval.ms";
    public static final String SWEEP_INTERVAL_MS_DOC = "Wall-clock period of the sweep punctuation, ms.";
    public static final String SCHEDULE_CHECK_INTERVAL_MS_CONFIG = "schedule.check.interval.ms";
    public static final String SCHEDULE_CHECK_INTERVAL_MS_DOC = "Wall-clock period of the activation/expiry check, ms.";
    public static final String SESSION_TTL_MS_CONFIG = "session.ttl.ms";
    public static final String SESSION_TTL_MS_DOC = "A session with no event for this long is evicted, ms.";
    public static final String IMPACT_SAMPLE_SIZE_CONFIG = "impact.sample.size";
    public static final String IMPACT_SAMPLE_SIZE_DOC = "Sample session ids per impact report (0..100).";
    public static final String COMPONENT_CONFIG = "component";
    public static final String COMPONENT_DOC = "AuditEvent.component of this service's audit entries.";
    public static final String EVICTION_INTERVAL_MS_CONFIG = "eviction.interval.ms";
    public static final String EVICTION_INTERVAL_MS_DOC = "Wall-clock period of the eviction pass, ms.";
    public static final String EVICTION_BATCH_SIZE_CONFIG = "eviction.batch.size";
    public static final String EVICTION_BATCH_SIZE_DOC = "Session entries examined per eviction punctuation.";
    public static final String EVICTION_CATCH_UP_MS_CONFIG = "eviction.catch.up.ms";
    public static final String EVICTION_CATCH_UP_MS_DOC = "Eviction waits until the task has caught up within this many ms (see EnforcementSettings).";
    public static final String CLOCK_SKEW_TOLERANCE_MS_CONFIG = "clock.skew.tolerance.ms";
    public static final String CLOCK_SKEW_TOLERANCE_MS_DOC = "A session event whose occurredAt is further than this from the task wall clock "
            + "is audited as skewed; one further ahead is ordered as if it occurred now, ms.";
    public static final String LAST_SEEN_GRANULARITY_MS_CONFIG = "last.seen.granularity.ms";
    public static final String LAST_SEEN_GRANULARITY_MS_DOC = "A session's last-seen time is rewritten only when it moved by this much "
            + "(heartbeats that change nothing are not written); width of the eviction index buckets, ms.";
    public static final String CLOSE_TIMEOUT_MS_CONFIG = "close.timeout.ms";
    public static final String CLOSE_TIMEOUT_MS_DOC = "How long close() waits for Kafka Streams to shut down, ms.";
    public static final String ROCKSDB_BLOCK_CACHE_BYTES_CONFIG = "rocksdb.block.cache.bytes";
    public static final String ROCKSDB_BLOCK_CACHE_BYTES_DOC = "Off-heap bytes of the block cache shared by every state store of the JVM.";
    public static final String ROCKSDB_WRITE_BUFFER_BYTES_CONFIG = "rocksdb.write.buffer.bytes";
    public static final String ROCKSDB_WRITE_BUFFER_BYTES_DOC = "Memtable bytes of all stores, charged to the block cache (at most half of it).";

    /** Prefix of keys forwarded to Kafka Streams. */
    public static final String STREAMS_PREFIX = "streams.";
    /** Prefix of keys forwarded to the registry serde. */
    public static final String SERDE_PREFIX = "serde.";

    private static final EnforcementSettings D = EnforcementSettings.defaults();

    public static final String TRUSTED_KEYS_CONFIG = "directive.trusted.keys";
    public static final String TRUSTED_KEYS_DOC = "Public keys that may sign directive changes, as keyId:base64 entries "
            + "(directive-ingest logs its key's entry; SigningKey.trustedEntry()). A change not signed by one of them is "
            + "dead-lettered, audited and has no effect.";
    public static final String SIGNATURES_REQUIRED_CONFIG = "directive.signatures.required";
    public static final String SIGNATURES_REQUIRED_DOC = "Refuse to start without " + TRUSTED_KEYS_CONFIG
            + ". Set false only to run without signature checks (local experiments): then any record on "
            + "directive-changes takes effect.";

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(SCHEMA_REGISTRY_URL_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH, SCHEMA_REGISTRY_URL_DOC)
            .define(TOPIC_PREFIX_CONFIG, Type.STRING, "", Importance.MEDIUM, TOPIC_PREFIX_DOC)
            .define(TRUSTED_KEYS_CONFIG, Type.LIST, "", (name, value) -> {
                try {
                    TrustedKeys.parse(((java.util.List<?>) value).stream().map(String::valueOf).toList());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name + ": " + e.getMessage());
                }
            }, Importance.HIGH, TRUSTED_KEYS_DOC)
            .define(SIGNATURES_REQUIRED_CONFIG, Type.BOOLEAN, true, Importance.HIGH, SIGNATURES_REQUIRED_DOC)
            .define(APPLICATION_ID_CONFIG, Type.STRING, "cordon-enforcement", new ConfigDef.NonEmptyString(), Importance.HIGH, APPLICATION_ID_DOC)
            .define(STATE_DIR_CONFIG, Type.STRING, Path.of(System.getProperty("java.io.tmpdir"), "cordon-enforcement").toString(),
                    new ConfigDef.NonEmptyString(), Importance.MEDIUM, STATE_DIR_DOC)
            .define(SESSION_PARTITIONS_CONFIG, Type.INT, D.sessionPartitions(), Range.atLeast(1), Importance.HIGH, SESSION_PARTITIONS_DOC)
            .define(NUM_STREAM_THREADS_CONFIG, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM, NUM_STREAM_THREADS_DOC)
            .define(PROCESSING_GUARANTEE_CONFIG, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2, EnforcementConfig::requireExactlyOnce,
                    Importance.HIGH, PROCESSING_GUARANTEE_DOC)
            .define(SWEEP_BATCH_SIZE_CONFIG, Type.INT, D.sweepBatchSize(), Range.atLeast(1), Importance.MEDIUM, SWEEP_BATCH_SIZE_DOC)
            .define(SWEEP_INTERVAL_MS_CONFIG, Type.LONG, D.sweepIntervalMs(), Range.atLeast(1), Importance.MEDIUM, SWEEP_INTERVAL_MS_DOC)
            .define(SCHEDULE_CHECK_INTERVAL_MS_CONFIG, Type.LONG, D.scheduleCheckIntervalMs(), Range.atLeast(1), Importance.MEDIUM,
                    SCHEDULE_CHECK_INTERVAL_MS_DOC)
            .define(SESSION_TTL_MS_CONFIG, Type.LONG, D.sessionTtlMs(), Range.atLeast(1), Importance.MEDIUM, SESSION_TTL_MS_DOC)
            .define(IMPACT_SAMPLE_SIZE_CONFIG, Type.INT, D.impactSampleSize(), Range.between(0, 100), Importance.LOW, IMPACT_SAMPLE_SIZE_DOC)
            .define(COMPONENT_CONFIG, Type.STRING, D.component(), new ConfigDef.NonEmptyString(), Importance.LOW, COMPONENT_DOC)
            .define(EVICTION_INTERVAL_MS_CONFIG, Type.LONG, D.evictionIntervalMs(), Range.atLeast(1), Importance.LOW, EVICTION_INTERVAL_MS_DOC)
            .define(EVICTION_BATCH_SIZE_CONFIG, Type.INT, D.evictionBatchSize(), Range.atLeast(1), Importance.LOW, EVICTION_BATCH_SIZE_DOC)
            .define(EVICTION_CATCH_UP_MS_CONFIG, Type.LONG, D.evictionCatchUpMs(), Range.atLeast(1), Importance.LOW, EVICTION_CATCH_UP_MS_DOC)
            .define(CLOCK_SKEW_TOLERANCE_MS_CONFIG, Type.LONG, D.clockSkewToleranceMs(), Range.atLeast(1), Importance.LOW,
                    CLOCK_SKEW_TOLERANCE_MS_DOC)
            .define(LAST_SEEN_GRANULARITY_MS_CONFIG, Type.LONG, D.lastSeenGranularityMs(), Range.atLeast(1), Importance.LOW,
                    LAST_SEEN_GRANULARITY_MS_DOC)
            .define(CLOSE_TIMEOUT_MS_CONFIG, Type.LONG, 30_000L, Range.atLeast(0), Importance.LOW, CLOSE_TIMEOUT_MS_DOC)
            .define(ROCKSDB_BLOCK_CACHE_BYTES_CONFIG, Type.LONG, BoundedRocksDbConfig.DEFAULT_BLOCK_CACHE_BYTES, Range.atLeast(1024 * 1024), Importance.LOW,
                    ROCKSDB_BLOCK_CACHE_BYTES_DOC)
            .define(ROCKSDB_WRITE_BUFFER_BYTES_CONFIG, Type.LONG, BoundedRocksDbConfig.DEFAULT_WRITE_BUFFER_BYTES, Range.atLeast(1024 * 1024), Importance.LOW,
                    ROCKSDB_WRITE_BUFFER_BYTES_DOC);

    /**
     * @param originals configuration keys and values
     * @throws ConfigException naming the key and what would be valid
     */
    public EnforcementConfig(Map<?, ?> originals) {
        super(CONFIG, originals, false);
        settings(); // validates the settings record too
        String forwarded = (String) originalsWithPrefix(STREAMS_PREFIX).get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (forwarded != null) {
            requireExactlyOnce(STREAMS_PREFIX + StreamsConfig.PROCESSING_GUARANTEE_CONFIG, forwarded);
        }
    }

    /** @return the definition (for docs and CLI help) */
    /**
     * @return the keys directive changes must be signed with, or {@code null} when signatures are not checked
     *         ({@value #SIGNATURES_REQUIRED_CONFIG}=false and no keys)
     * @throws ConfigException when signatures are required and no key is configured
     */
    public TrustedKeys trustedKeys() {
        java.util.List<String> entries = getList(TRUSTED_KEYS_CONFIG);
        if (entries.isEmpty()) {
            if (getBoolean(SIGNATURES_REQUIRED_CONFIG)) {
                throw new ConfigException(TRUSTED_KEYS_CONFIG + " is empty: nobody's directive changes could be trusted. "
                        + "Set it to directive-ingest's signing key entry (keyId:base64; ingest logs it, or "
                        + "SigningKey.trustedEntry()) or set " + SIGNATURES_REQUIRED_CONFIG + "=false to run without checks");
            }
            return null;
        }
        return TrustedKeys.parse(entries);
    }

    static {
        dev.cordon.ops.OpsConfig.define(CONFIG, dev.cordon.ops.OpsConfig.DEFAULT_PORT_ENFORCEMENT); // ops.enabled, ops.host, ops.port
    }

    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    private static void requireExactlyOnce(String name, Object value) {
        if (!StreamsConfig.EXACTLY_ONCE_V2.equals(value)) {
            throw new ConfigException(name, value, "Cordon runs only with " + StreamsConfig.EXACTLY_ONCE_V2
                    + ": a command, its audit entry and the session state must commit together (DESIGN.md \"Stack\")");
        }
    }

    /** @return the topology settings */
    public EnforcementSettings settings() {
        return new EnforcementSettings(getInt(SESSION_PARTITIONS_CONFIG), getInt(SWEEP_BATCH_SIZE_CONFIG),
                getLong(SWEEP_INTERVAL_MS_CONFIG), getLong(SCHEDULE_CHECK_INTERVAL_MS_CONFIG), getLong(SESSION_TTL_MS_CONFIG),
                getInt(IMPACT_SAMPLE_SIZE_CONFIG), getString(COMPONENT_CONFIG), getLong(EVICTION_INTERVAL_MS_CONFIG),
                getInt(EVICTION_BATCH_SIZE_CONFIG), getLong(EVICTION_CATCH_UP_MS_CONFIG), getLong(CLOCK_SKEW_TOLERANCE_MS_CONFIG),
                getLong(LAST_SEEN_GRANULARITY_MS_CONFIG));
    }

    /** @return the Kafka Streams application id */
    public String applicationId() {
        return getString(APPLICATION_ID_CONFIG);
    }

    public String topicPrefix() {
        return getString(TOPIC_PREFIX_CONFIG);
    }

    public long closeTimeoutMs() {
        return getLong(CLOSE_TIMEOUT_MS_CONFIG);
    }

    /** @return the registry serde's configuration: {@code schema.registry.url} plus {@value #SERDE_PREFIX} keys */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> m = new HashMap<>(originalsWithPrefix(SERDE_PREFIX));
        m.put(SCHEMA_REGISTRY_URL_CONFIG, getString(SCHEMA_REGISTRY_URL_CONFIG));
        return m;
    }

    /** @return admin client configuration: bootstrap servers plus forwarded client security settings */
    public Map<String, Object> adminConfig() {
        Map<String, Object> m = new HashMap<>();
        originalsWithPrefix(STREAMS_PREFIX).forEach((k, v) -> {
            if (k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl.") || k.startsWith("client.dns.")) {
                m.put(k, v);
            }
        });
        m.put(BOOTSTRAP_SERVERS_CONFIG, getString(BOOTSTRAP_SERVERS_CONFIG));
        return m;
    }

    /** @return Kafka Streams properties: Cordon's safe defaults, then {@value #STREAMS_PREFIX} overrides */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID_CONFIG));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, getString(BOOTSTRAP_SERVERS_CONFIG));
        p.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR_CONFIG));
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(NUM_STREAM_THREADS_CONFIG));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        p.put(StreamsConfig.POLL_MS_CONFIG, 10L);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100L);
        // never wait for an empty input partition of a task: Cordon orders nothing across topics (a session event is
        // decided against the directives already applied, by wall clock), and with the default 0 Streams formats a
        // log string for every empty partition on every record — 16% of the session path's CPU
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class);
        p.put(BoundedRocksDbConfig.BLOCK_CACHE_BYTES_CONFIG, getLong(ROCKSDB_BLOCK_CACHE_BYTES_CONFIG));
        p.put(BoundedRocksDbConfig.WRITE_BUFFER_BYTES_CONFIG, getLong(ROCKSDB_WRITE_BUFFER_BYTES_CONFIG));
        p.putAll(originalsWithPrefix(STREAMS_PREFIX));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return p;
    }
}
