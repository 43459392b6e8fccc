package dev.cordon.audit.internal;

import dev.cordon.audit.AuditEntry;
import dev.cordon.audit.SignedCheckpoint;
import dev.cordon.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sink loop's counters ({@link MetricNames} {@code cordon.audit.*}). Counts are per process: Prometheus
 * {@code rate()} / {@code increase()} handle restarts.
 */
public final class SinkMetrics {
    private final MeterRegistry registry;
    private final Counter deadLetters;
    private final Counter storeFailures;
    private final AtomicLong lastCheckpointMs = new AtomicLong(-1);

    public SinkMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.deadLetters = Counter.builder(MetricNames.AUDIT_DEAD_LETTERS)
                .description("unreadable audit-log records sent to dead-letters").register(registry);
        this.storeFailures = Counter.builder(MetricNames.AUDIT_STORE_FAILURES)
                .description("batches that could not be stored and are retried").register(registry);
    }

    /** Counts committed entries by event type. */
    void appended(List<AuditEntry> entries) {
        Map<String, Integer> byType = new TreeMap<>();
        for (AuditEntry e : entries) {
            byType.merge(e.eventType(), 1, Integer::sum);
        }
        byType.forEach((type, n) -> Counter.builder(MetricNames.AUDIT_ENTRIES_APPENDED).tag("type", type)
                .description("entries appended to the audit trail").register(registry).increment(n));
    }

    void deadLettered(int n) {
        deadLetters.increment(n);
    }

    void storeFailed() {
        storeFailures.increment();
    }

    void checkpointSigned(SignedCheckpoint cp) {
        Counter.builder(MetricNames.AUDIT_CHECKPOINTS_SIGNED).tag("reason", cp.reason())
                .description("signed checkpoints").register(registry).increment();
        lastCheckpointMs.set(cp.signedAtMs());
    }

    /** @return when this process last signed a checkpoint, epoch ms, or -1 */
    public long lastCheckpointMs() {
        return lastCheckpointMs.get();
    }
}
