package dev.cordon.enforcement.internal;

import dev.cordon.schemas.serde.DecodeFailures;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.ImpactKind;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@value Names#AGGREGATE_IMPACTS}: reads directive-impacts, combines the PARTIALs of one
 * (directiveId, mode, revision, requestId) and, once {@code partitionCount} distinct partitions reported,
 * emits one AGGREGATE (partition -1, partitionsReported = partitionCount, completedAt = wall clock).
 * AGGREGATEs (including its own) are ignored, so there is no loop. Unreadable records: dead-letters + audit.
 */
final class AggregateImpactsProcessor implements Processor<byte[], byte[], String, Emit> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AggregateImpactsProcessor.class);
    private final Deserializer<DirectiveImpact> deserializer;
    private final String component;
    private final int sampleLimit;
    private ProcessorContext<String, Emit> context;
    private Auditor auditor;
    private KeyValueStore<String, ImpactAccumulator> partials;

    AggregateImpactsProcessor(Deserializer<DirectiveImpact> deserializer, String component, int sampleLimit) {
        this.deserializer = deserializer;
        this.component = component;
        this.sampleLimit = sampleLimit;
    }

    @Override
    public void init(ProcessorContext<String, Emit> context) {
        this.context = context;
        KeyValueStore<String, Long> sequence = context.getStateStore(Names.CONTROL_AUDIT_SEQUENCE_STORE);
        this.auditor = new Auditor(sequence, component, Names.CONTROL_SOURCE_PARTITION);
        this.partials = context.getStateStore(Names.IMPACT_PARTIALS_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        long now = context.currentSystemTimeMs();
        DirectiveImpact impact;
        try {
            String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
            impact = deserializer.deserialize(topic, record.headers(), record.value());
            if (impact == null) {
                throw new IllegalArgumentException("value: an impact report must not be null (tombstone)");
            }
            if (impact.getKind() == ImpactKind.PARTIAL && (impact.getPartitionCount() < 1
                    || impact.getPartition() < 0 || impact.getPartition() >= impact.getPartitionCount())) {
                throw new IllegalArgumentException("partition: " + impact.getPartition() + " is not within partitionCount "
                        + impact.getPartitionCount());
            }
            if (impact.getKind() == ImpactKind.UNKNOWN) {
                throw new IllegalArgumentException("kind: UNKNOWN is not PARTIAL or AGGREGATE");
            }
        } catch (RuntimeException e) {
            if (DecodeFailures.isEnvironmental(e)) {
                throw e; // the registry or network, not the record: fail the task and retry, never dead-letter a good record
            }
            DeadLetters.forward(context, auditor, record, e, now);
            return;
        }
        if (impact.getKind() != ImpactKind.PARTIAL) {
            return;
        }
        String key = ImpactAccumulator.key(impact);
        ImpactAccumulator acc = partials.get(key);
        if (acc != null && acc.partitions().contains(impact.getPartition())) {
            return; // a partition reports once; a repeat (e.g. replay) changes nothing
        }
        acc = ImpactAccumulator.add(acc, impact, sampleLimit);
        if (acc.partitions().size() < impact.getPartitionCount()) {
            partials.put(key, acc);
            return;
        }
        partials.delete(key);
        DirectiveImpact aggregate = DirectiveImpact.newBuilder(acc.combined())
                .setPartitionCount(impact.getPartitionCount())
                .setPartitionsReported(acc.partitions().size())
                .setCompletedAt(Instant.ofEpochMilli(now))
                .build();
        context.forward(new Record<String, Emit>(aggregate.getDirectiveId(), new Emit.Impact(aggregate), now, new RecordHeaders()));
        LOG.atInfo().addKeyValue("directiveId", aggregate.getDirectiveId()).addKeyValue("revision", aggregate.getRevision())
                .addKeyValue("mode", aggregate.getMode()).addKeyValue("requestId", aggregate.getRequestId())
                .addKeyValue("covered", aggregate.getCovered()).addKeyValue("revoked", aggregate.getRevoked())
                .log("{} revision {} ({}): all {} partitions swept, {} covered, {} revoked", aggregate.getDirectiveId(),
                        aggregate.getRevision(), aggregate.getMode(), aggregate.getPartitionCount(), aggregate.getCovered(),
                        aggregate.getRevoked());
        context.commit(); // a preview request is waiting for this report: publish it now, not at the commit interval
    }
}
