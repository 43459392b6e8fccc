package dev.cordon.schemas.serde;

import java.util.Locale;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * How the serializer names the subject a schema is registered under (Confluent docs, "Subject
 * name strategy"). Configured with {@code key.subject.name.strategy} /
 * {@code value.subject.name.strategy}, which accept Confluent's class names, their simple names,
 * or this enum's names.
 */
public enum SubjectNameStrategy {
    /** {@code <topic>-key} / {@code <topic>-value}. The default. */
    TOPIC_NAME("io.confluent.kafka.serializers.subject.TopicNameStrategy"),
    /** The record's full name, e.g. {@code dev.cordon.avro.SessionEvent}. */
    RECORD_NAME("io.confluent.kafka.serializers.subject.RecordNameStrategy"),
    /** {@code <topic>-<record full name>}. */
    TOPIC_RECORD_NAME("io.confluent.kafka.serializers.subject.TopicRecordNameStrategy");

    private final String confluentClassName;

    SubjectNameStrategy(String confluentClassName) {
        this.confluentClassName = confluentClassName;
    }

    /** @return Confluent's class name of the same strategy */
    public String confluentClassName() {
        return confluentClassName;
    }

    /**
     * @param topic  topic name
     * @param isKey  whether the schema is the record key's
     * @param schema the record schema
     * @return the subject
     */
    public String subjectName(String topic, boolean isKey, Schema schema) {
        return switch (this) {
            case TOPIC_NAME -> Objects.requireNonNull(topic, "topic") + (isKey ? "-key" : "-value");
            case RECORD_NAME -> schema.getFullName();
            case TOPIC_RECORD_NAME -> Objects.requireNonNull(topic, "topic") + "-" + schema.getFullName();
        };
    }

    /**
     * Parses a strategy name: a Confluent class name
     * ({@code io.confluent.kafka.serializers.subject.RecordNameStrategy}), its simple name
     * ({@code RecordNameStrategy}) or this enum's name ({@code RECORD_NAME}), case-insensitively.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static SubjectNameStrategy parse(String value) {
        if (value != null) {
            String v = value.trim();
            for (SubjectNameStrategy s : values()) {
                String simple = s.confluentClassName.substring(s.confluentClassName.lastIndexOf('.') + 1);
                if (v.equals(s.confluentClassName) || v.equalsIgnoreCase(simple) || v.equalsIgnoreCase(s.name())
                        || v.toUpperCase(Locale.ROOT).replace('-', '_').equals(s.name())) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown subject name strategy '" + value + "'; expected one of "
                + TOPIC_NAME.confluentClassName + ", " + RECORD_NAME.confluentClassName + ", "
                + TOPIC_RECORD_NAME.confluentClassName + " (or TopicNameStrategy, RecordNameStrategy, "
                + "TopicRecordNameStrategy, TOPIC_NAME, RECORD_NAME, TOPIC_RECORD_NAME)");
    }
}
