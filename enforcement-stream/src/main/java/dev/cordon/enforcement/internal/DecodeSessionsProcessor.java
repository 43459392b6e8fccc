package dev.cordon.enforcement.internal;

import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.enforcement.EnforcementSettings;
import dev.cordon.schemas.serde.DecodeFailures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@value Names#DECODE_SESSION_EVENTS} (intake task, one per session-events partition): decodes a session event,
 * refuses unusable ones (dead-letters + {@code INPUT_UNREADABLE}), audits anomalies ({@link Anomalies}: null key, key
 * ≠ sessionId, skewed {@code occurredAt}) and forwards the event keyed by its sessionId to the
 * {@value Names#SESSION_EVENTS_BY_ID} repartition. The forwarded timestamp is the input record's (LogAppendTime),
 * never later than the wall clock — never {@code occurredAt}: a producer's clock cannot move stream time.
 */
final class DecodeSessionsProcessor implements Processor<byte[], byte[], String, Emit> {
    private final Deserializer<SessionEvent> deserializer;
    private final EnforcementSettings settings;
    private ProcessorContext<String, Emit> context;
    private Auditor auditor;

    DecodeSessionsProcessor(Deserializer<SessionEvent> deserializer, EnforcementSettings settings) {
        this.deserializer = deserializer;
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<String, Emit> context) {
        this.context = context;
        KeyValueStore<String, Long> sequence = context.getStateStore(Names.INTAKE_AUDIT_SEQUENCE_STORE);
        this.auditor = new Auditor(sequence, Names.intakeComponent(settings.component()), context.taskId().partition());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        long now = context.currentSystemTimeMs();
        SessionEvent event;
        try {
            event = decode(record);
        } catch (RuntimeException e) {
            if (DecodeFailures.isEnvironmental(e)) {
                throw e; // the registry or network, not the record: fail the task and retry, never dead-letter a good record
            }
            DeadLetters.forward(context, auditor, record, e, now);
            return;
        }
        String id = event.getSessionId();
        if (record.key() == null) {
            forwardAudit(id, anomaly(id, Anomalies.NULL_KEY, now).detail("note", "re-keyed by sessionId"), now);
        } else {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            if (!key.equals(id)) {
                forwardAudit(id, anomaly(id, Anomalies.KEY_MISMATCH, now).detail("key", key)
                        .detail("note", "re-keyed by sessionId; the producer must key session events by sessionId"), now);
            }
        }
        long occurredAt = event.getOccurredAt().toEpochMilli();
        long skew = occurredAt - now;
        if (Math.abs(skew) > settings.clockSkewToleranceMs()) {
            forwardAudit(id, anomaly(id, Anomalies.CLOCK_SKEW, now)
                    .detail("eventType", event.getType())
                    .detail("occurredAt", Instant.ofEpochMilli(occurredAt))
                    .detail("skewMs", skew)
                    .detail("toleranceMs", settings.clockSkewToleranceMs())
                    .detail("gatewayId", event.getGatewayId())
                    .detail("orderedAt", Instant.ofEpochMilli(settings.orderingTime(occurredAt, now))), now);
        }
        long timestamp = Math.min(record.timestamp(), now);
        context.forward(new Record<String, Emit>(id, new Emit.Session(event), timestamp, new RecordHeaders()));
    }

    private Auditor.Builder anomaly(String sessionId, String kind, long now) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        return auditor.event(Anomalies.TYPE, now)
                .session(sessionId)
                .detail("anomaly", kind)
                .detail("topic", meta == null ? null : meta.topic())
                .detail("partition", meta == null ? null : meta.partition())
                .detail("offset", meta == null ? null : meta.offset());
    }

    private void forwardAudit(String key, Auditor.Builder builder, long now) {
        context.forward(new Record<String, Emit>(key, new Emit.Audit(builder.build()), now, new RecordHeaders()));
    }

    private SessionEvent decode(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
        SessionEvent event = deserializer.deserialize(topic, record.headers(), record.value());
        if (event == null) {
            throw new IllegalArgumentException("value: a session event must not be null (tombstone)");
        }
        if (event.getSessionId() == null || event.getSessionId().isEmpty()) {
            throw new IllegalArgumentException("sessionId: must not be empty");
        }
        if (event.getType() == null || event.getType() == SessionEventType.UNKNOWN) {
            throw new IllegalArgumentException("type: " + event.getType() + " is not STARTED, HEARTBEAT, ATTRIBUTES_CHANGED or ENDED");
        }
        if (event.getSubject() == null || event.getResource() == null || event.getOccurredAt() == null) {
            throw new IllegalArgumentException("subject, resource and occurredAt are required");
        }
        if (event.getSubject().getUserId() == null) {
            throw new IllegalArgumentException("subject.userId: required");
        }
        return event;
    }
}
