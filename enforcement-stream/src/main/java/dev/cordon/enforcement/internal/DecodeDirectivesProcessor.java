package dev.cordon.enforcement.internal;

import dev.cordon.avro.DirectiveChange;
import dev.cordon.schemas.serde.DecodeFailures;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@value Names#DECODE_DIRECTIVES}: decodes directive-changes (raw bytes) with the registry serde and checks
 * each change is usable ({@link DirectiveRules#requireUsable}); usable changes go on to the multicast,
 * the rest to dead-letters + {@code INPUT_UNREADABLE} audit (control task, sourcePartition
 * {@value Names#CONTROL_SOURCE_PARTITION}).
 */
final class DecodeDirectivesProcessor implements Processor<byte[], byte[], String, Emit> {
    private final Deserializer<DirectiveChange> deserializer;
    private final String component;
    private ProcessorContext<String, Emit> context;
    private Auditor auditor;

    DecodeDirectivesProcessor(Deserializer<DirectiveChange> deserializer, String component) {
        this.deserializer = deserializer;
        this.component = component;
    }

    @Override
    public void init(ProcessorContext<String, Emit> context) {
        this.context = context;
        KeyValueStore<String, Long> sequence = context.getStateStore(Names.CONTROL_AUDIT_SEQUENCE_STORE);
        this.auditor = new Auditor(sequence, component, Names.CONTROL_SOURCE_PARTITION);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        long now = context.currentSystemTimeMs();
        DirectiveChange change;
        try {
            String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
            change = deserializer.deserialize(topic, record.headers(), record.value());
            if (change == null) {
                throw new IllegalArgumentException("value: a directive change must not be null (tombstone)");
            }
            DirectiveRules.requireUsable(change);
            if (record.key() != null) {
                String key = new String(record.key(), StandardCharsets.UTF_8);
                if (!key.equals(change.getDirectiveId())) {
                    throw new IllegalArgumentException("key: " + key + " does not match directiveId " + change.getDirectiveId());
                }
            }
        } catch (RuntimeException e) {
            if (DecodeFailures.isEnvironmental(e)) {
                throw e; // the registry or network, not the record: fail the task and retry, never dead-letter a good record
            }
            DeadLetters.forward(context, auditor, record, e, now);
            return;
        }
        // keep the headers: the signature (cordon.signature, cordon.signature.key-id) travels with the change
        // through the multicast topic and is verified by every session task (ApplyDirectivesProcessor)
        context.forward(new Record<String, Emit>(change.getDirectiveId(), new Emit.Directive(change), now,
                new RecordHeaders(record.headers().toArray())));
        // an order is urgent: commit now rather than at the next commit interval, so the multicast reaches the
        // session tasks one commit sooner (directive changes are rare; the extra commit costs nothing measurable)
        context.commit();
    }
}
