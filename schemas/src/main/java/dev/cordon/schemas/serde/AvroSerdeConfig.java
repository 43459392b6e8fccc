package dev.cordon.schemas.serde;

import dev.cordon.schemas.registry.SchemaRegistryClientConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of {@link SpecificAvroSerde}, {@link SpecificAvroSerializer} and
 * {@link SpecificAvroDeserializer}, with the names of Confluent's {@code AbstractKafkaSchemaSerDeConfig}
 * so a Confluent serde configuration works unchanged. Includes the
 * {@link SchemaRegistryClientConfig} keys ({@code schema.registry.url}, basic auth, timeouts).
 */
public final class AvroSerdeConfig extends SchemaRegistryClientConfig {

    public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
    public static final String AUTO_REGISTER_SCHEMAS_DOC = "Register the record's schema under its subject on first "
            + "use (POST /subjects/{s}/versions). When false, the schema must already be registered (it is looked up).";

    public static final String USE_LATEST_VERSION_CONFIG = "use.latest.version";
    public static final String USE_LATEST_VERSION_DOC = "Write with the latest registered version of the subject "
            + "instead of the record's own schema (only when auto.register.schemas=false, as Confluent). The record "
            + "is converted with Avro schema resolution.";

    public static final String LATEST_COMPATIBILITY_STRICT_CONFIG = "latest.compatibility.strict";
    public static final String LATEST_COMPATIBILITY_STRICT_DOC = "With use.latest.version, refuse to serialize unless "
            + "the latest version can read data written with the record's own schema.";

    public static final String LATEST_CACHE_TTL_SEC_CONFIG = "latest.cache.ttl.sec";
    public static final String LATEST_CACHE_TTL_SEC_DOC = "Seconds a fetched latest version is reused; -1 = forever.";

    public static final String KEY_SUBJECT_NAME_STRATEGY_CONFIG = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY_CONFIG = "value.subject.name.strategy";
    public static final String SUBJECT_NAME_STRATEGY_DOC = "Subject naming: "
            + "io.confluent.kafka.serializers.subject.TopicNameStrategy (default), RecordNameStrategy or "
            + "TopicRecordNameStrategy (full or simple class names, or TOPIC_NAME, RECORD_NAME, TOPIC_RECORD_NAME).";

    public static final String SPECIFIC_AVRO_KEY_TYPE_CONFIG = "specific.avro.key.type";
    public static final String SPECIFIC_AVRO_VALUE_TYPE_CONFIG = "specific.avro.value.type";
    public static final String SPECIFIC_AVRO_TYPE_DOC = "SpecificRecord class a deserializer built with its no-argument "
            + "constructor (e.g. from consumer properties) reads into.";

    private static final ConfigDef DEFINITION = baseConfigDef()
            .define(AUTO_REGISTER_SCHEMAS_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, AUTO_REGISTER_SCHEMAS_DOC)
            .define(USE_LATEST_VERSION_CONFIG, Type.BOOLEAN, false, Importance.LOW, USE_LATEST_VERSION_DOC)
            .define(LATEST_COMPATIBILITY_STRICT_CONFIG, Type.BOOLEAN, true, Importance.LOW, LATEST_COMPATIBILITY_STRICT_DOC)
            .define(LATEST_CACHE_TTL_SEC_CONFIG, Type.LONG, -1L, ConfigDef.Range.atLeast(-1), Importance.LOW,
                    LATEST_CACHE_TTL_SEC_DOC)
            .define(KEY_SUBJECT_NAME_STRATEGY_CONFIG, Type.STRING, SubjectNameStrategy.TOPIC_NAME.confluentClassName(),
                    AvroSerdeConfig::validateStrategy, Importance.MEDIUM, SUBJECT_NAME_STRATEGY_DOC)
            .define(VALUE_SUBJECT_NAME_STRATEGY_CONFIG, Type.STRING, SubjectNameStrategy.TOPIC_NAME.confluentClassName(),
                    AvroSerdeConfig::validateStrategy, Importance.MEDIUM, SUBJECT_NAME_STRATEGY_DOC)
            .define(SPECIFIC_AVRO_KEY_TYPE_CONFIG, Type.CLASS, null, Importance.LOW, SPECIFIC_AVRO_TYPE_DOC)
            .define(SPECIFIC_AVRO_VALUE_TYPE_CONFIG, Type.CLASS, null, Importance.LOW, SPECIFIC_AVRO_TYPE_DOC);

    /**
     * @param originals configs by Confluent name; unknown keys (e.g. the rest of a Streams config) are ignored
     * @throws ConfigException naming the bad key and what would be valid
     */
    public AvroSerdeConfig(Map<String, ?> originals) {
        super(DEFINITION, originals);
    }

    /** @return a copy of the definitions (for documentation) */
    public static ConfigDef configDef() {
        return new ConfigDef(DEFINITION);
    }

    /** @return {@code auto.register.schemas} */
    public boolean autoRegisterSchemas() {
        return getBoolean(AUTO_REGISTER_SCHEMAS_CONFIG);
    }

    /** @return {@code use.latest.version} */
    public boolean useLatestVersion() {
        return getBoolean(USE_LATEST_VERSION_CONFIG);
    }

    /** @return {@code latest.compatibility.strict} */
    public boolean latestCompatibilityStrict() {
        return getBoolean(LATEST_COMPATIBILITY_STRICT_CONFIG);
    }

    /** @return {@code latest.cache.ttl.sec} (-1 = forever) */
    public long latestCacheTtlSec() {
        return getLong(LATEST_CACHE_TTL_SEC_CONFIG);
    }

    /** @return the key or value subject name strategy */
    public SubjectNameStrategy subjectNameStrategy(boolean isKey) {
        return SubjectNameStrategy.parse(getString(isKey ? KEY_SUBJECT_NAME_STRATEGY_CONFIG : VALUE_SUBJECT_NAME_STRATEGY_CONFIG));
    }

    /** @return {@code specific.avro.key.type} or {@code .value.type}, or {@code null} */
    public Class<?> specificType(boolean isKey) {
        return getClass(isKey ? SPECIFIC_AVRO_KEY_TYPE_CONFIG : SPECIFIC_AVRO_VALUE_TYPE_CONFIG);
    }

    private static void validateStrategy(String name, Object value) {
        try {
            SubjectNameStrategy.parse((String) value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, value, e.getMessage());
        }
    }
}
