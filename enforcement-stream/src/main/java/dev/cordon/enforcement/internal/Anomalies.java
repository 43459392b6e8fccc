package dev.cordon.enforcement.internal;

import dev.cordon.avro.AuditEventType;

/**
 * Readable input that is processed but suspicious, audited so operators can fix the producer (issue 3 "Disorder and
 * duplicates"): a session event with a null key, a key that differs from its sessionId, or an {@code occurredAt}
 * skewed from the task wall clock by more than the tolerance.
 *
 * <p>These entries carry {@link #TYPE} ({@code INPUT_ANOMALY}, added to {@code AuditEventType} as schema
 * version 2: a FULL_TRANSITIVE change, since readers that lack the symbol read the enum's default) and say
 * what they are in {@code details.anomaly}.
 */
public final class Anomalies {
    /** Audit type of anomaly entries (see the class comment). */
    public static final AuditEventType TYPE = AuditEventType.INPUT_ANOMALY;
    /** {@code details.anomaly}: the record had no key; it was re-keyed by its sessionId. */
    public static final String NULL_KEY = "NULL_KEY";
    /** {@code details.anomaly}: the record's key differs from its sessionId (producer bug); it was re-keyed by its sessionId. */
    public static final String KEY_MISMATCH = "KEY_MISMATCH";
    /** {@code details.anomaly}: occurredAt differs from the wall clock by more than {@code clock.skew.tolerance.ms}. */
    public static final String CLOCK_SKEW = "CLOCK_SKEW";

    private Anomalies() {
    }
}
