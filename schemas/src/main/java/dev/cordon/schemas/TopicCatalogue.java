package dev.cordon.schemas;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.SessionEvent;
import dev.cordon.schemas.serde.SpecificAvroSerde;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Cordon's typed topics, built once from configuration (no mutable statics). Keys are UTF-8
 * strings; values are Avro SpecificRecords in the Confluent wire format, except dead-letters,
 * which carry the unreadable record's raw bytes.
 *
 * @param directiveChanges   key directiveId
 * @param sessionEvents      key sessionId
 * @param revocationCommands key sessionId
 * @param directiveImpacts   key directiveId
 * @param auditLog           key: the entry's subject
 * @param deadLetters        raw key and value bytes of the unreadable record
 */
public record TopicCatalogue(
        Topic<String, DirectiveChange> directiveChanges,
        Topic<String, SessionEvent> sessionEvents,
        Topic<String, RevocationCommand> revocationCommands,
        Topic<String, DirectiveImpact> directiveImpacts,
        Topic<String, AuditEvent> auditLog,
        Topic<byte[], byte[]> deadLetters) {

    /**
     * Builds the catalogue.
     *
     * @param prefix      topic name prefix ({@code ""} for none)
     * @param serdeConfig serde configuration using Confluent's names, at least
     *                    {@code schema.registry.url}; see {@link SpecificAvroSerde}
     * @return the catalogue; serdes are configured and shareable across threads
     */
    public static TopicCatalogue create(String prefix, Map<String, ?> serdeConfig) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(serdeConfig, "serdeConfig");
        return new TopicCatalogue(
                avro(prefix + TopicNames.DIRECTIVE_CHANGES, DirectiveChange.class, serdeConfig),
                avro(prefix + TopicNames.SESSION_EVENTS, SessionEvent.class, serdeConfig),
                avro(prefix + TopicNames.REVOCATION_COMMANDS, RevocationCommand.class, serdeConfig),
                avro(prefix + TopicNames.DIRECTIVE_IMPACTS, DirectiveImpact.class, serdeConfig),
                avro(prefix + TopicNames.AUDIT_LOG, AuditEvent.class, serdeConfig),
                new Topic<>(prefix + TopicNames.DEAD_LETTERS, Serdes.ByteArray(), Serdes.ByteArray()));
    }

    private static <V extends SpecificRecord> Topic<String, V> avro(String name, Class<V> type, Map<String, ?> config) {
        Serde<V> serde = new SpecificAvroSerde<>(type);
        serde.configure(config, false);
        return new Topic<>(name, Serdes.String(), serde);
    }
}
