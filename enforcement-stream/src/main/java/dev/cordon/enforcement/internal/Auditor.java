package dev.cordon.enforcement.internal;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Issues {@code AuditEvent}s of one task with a durable, gap-free sequence (DESIGN.md "Audit trail"):
 * the counter lives in a changelogged store written in the same exactly-once transaction as the events,
 * so an aborted transaction rolls both back. {@code eventId} = {@code component/sourcePartition/sequence}.
 */
final class Auditor {
    private final KeyValueStore<String, Long> sequenceStore;
    private final String component;
    private final int sourcePartition;

    Auditor(KeyValueStore<String, Long> sequenceStore, String component, int sourcePartition) {
        this.sequenceStore = sequenceStore;
        this.component = component;
        this.sourcePartition = sourcePartition;
    }

    /** Starts an event of {@code type} decided at {@code nowMs}; call {@link Builder#build()} to take its sequence number. */
    Builder event(AuditEventType type, long nowMs) {
        return new Builder(type, nowMs);
    }

    final class Builder {
        private final AuditEventType type;
        private final long nowMs;
        private String directiveId;
        private Integer revision;
        private String sessionId;
        private String commandId;
        private final Map<String, String> details = new LinkedHashMap<>();

        private Builder(AuditEventType type, long nowMs) {
            this.type = type;
            this.nowMs = nowMs;
        }

        Builder directive(String id, Integer rev) {
            this.directiveId = id;
            this.revision = rev;
            return this;
        }

        Builder session(String id) {
            this.sessionId = id;
            return this;
        }

        Builder command(String id) {
            this.commandId = id;
            return this;
        }

        Builder detail(String key, Object value) {
            if (value != null) {
                details.put(key, String.valueOf(value));
            }
            return this;
        }

        Builder details(Map<String, String> more) {
            details.putAll(more);
            return this;
        }

        AuditEvent build() {
            Long last = sequenceStore.get(Names.SEQUENCE_KEY);
            long sequence = (last == null ? 0L : last) + 1;
            sequenceStore.put(Names.SEQUENCE_KEY, sequence);
            return AuditEvent.newBuilder()
                    .setEventId(component + "/" + sourcePartition + "/" + sequence)
                    .setType(type)
                    .setComponent(component)
                    .setSourcePartition(sourcePartition)
                    .setSequence(sequence)
                    .setOccurredAt(Instant.ofEpochMilli(nowMs))
                    .setDirectiveId(directiveId)
                    .setDirectiveRevision(revision)
                    .setSessionId(sessionId)
                    .setCommandId(commandId)
                    .setDetails(details) // a builder builds one event
                    .build();
        }
    }
}
