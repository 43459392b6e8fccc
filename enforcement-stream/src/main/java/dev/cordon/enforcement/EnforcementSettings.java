package dev.cordon.enforcement;

import dev.cordon.schemas.TopicNames;
import java.util.Objects;

/**
 * Tuning of the enforcement topology (all durations in milliseconds of the task's wall clock,
 * {@code ProcessorContext.currentSystemTimeMs()}).
 *
 * @param sessionPartitions       partitions of session-events, and of the directive multicast topic (≥ 1);
 *                                must equal session-events' real partition count (checked by {@link EnforcementApp})
 * @param sweepBatchSize          session records a task examines per sweep punctuation, over all its sweeps (≥ 1);
 *                                DESIGN.md "Fan-out at scale": never a whole fan-out in one call
 * @param sweepIntervalMs         wall-clock period of the sweep punctuation (≥ 1)
 * @param scheduleCheckIntervalMs wall-clock period of the activation/expiry check (≥ 1)
 * @param sessionTtlMs            a session with no event for this long is evicted (≥ 1); ENDED and CUT entries are
 *                                kept as tombstones at least this long
 * @param impactSampleSize        at most this many sample session ids per impact report (0..100)
 * @param component               {@code AuditEvent.component} of this module's audit entries
 * @param evictionIntervalMs      wall-clock period of the eviction pass (≥ 1)
 * @param evictionBatchSize       sessions examined per eviction punctuation (≥ 1); the pass resumes from a cursor
 * @param evictionCatchUpMs       eviction runs only once the task has caught up with its input: its last session-event
 *                                record was appended (LogAppendTime) no more than this long before it was processed, or no
 *                                record arrived for this long; and the task has run at least this long (≥ 1)
 * @param clockSkewToleranceMs    a session event whose {@code occurredAt} differs from the task wall clock by more than
 *                                this is audited as skewed; one more than this ahead orders the session's events as if it
 *                                had occurred now, so a gateway clock in year 2100 cannot make later events look late (≥ 1)
 * @param lastSeenGranularityMs   a session's last-seen time (TTL) is rewritten only when it moved by at least this much, so
 *                                heartbeats that change nothing do not each rewrite the changelog; also the width of the
 *                                eviction index's time buckets. A session is evicted once idle for at least the TTL, at most
 *                                TTL + granularity + one eviction interval (≥ 1)
 * @param parallelCountMinSessions a counting-only (DRY_RUN) sweep over a task holding at least this many sessions (RocksDB's
 *                                estimate) counts on a worker thread per core instead of the stream thread, so the 12 tasks
 *                                of a preview count in parallel (≥ 1; default {@value #DEFAULT_PARALLEL_COUNT_MIN_SESSIONS});
 *                                smaller tasks count inline, in the sweep punctuation
 */
public record EnforcementSettings(int sessionPartitions, int sweepBatchSize, long sweepIntervalMs,
                                  long scheduleCheckIntervalMs, long sessionTtlMs, int impactSampleSize, String component,
                                  long evictionIntervalMs, int evictionBatchSize, long evictionCatchUpMs,
                                  long clockSkewToleranceMs, long lastSeenGranularityMs, long parallelCountMinSessions) {
    /** Default {@link #parallelCountMinSessions()}: 20,000 sessions in a task. */
    public static final long DEFAULT_PARALLEL_COUNT_MIN_SESSIONS = 20_000;
    /** Default {@link #clockSkewToleranceMs()}: 5 minutes. */
    public static final long DEFAULT_CLOCK_SKEW_TOLERANCE_MS = 5 * 60 * 1000L;
    /** Default {@link #lastSeenGranularityMs()}: 1 minute. */
    public static final long DEFAULT_LAST_SEEN_GRANULARITY_MS = 60 * 1000L;

    /** Default component name. */
    public static final String DEFAULT_COMPONENT = "enforcement-stream";

    /** @throws IllegalArgumentException naming the field and its valid range */
    public EnforcementSettings {
        positive("sessionPartitions", sessionPartitions);
        positive("sweepBatchSize", sweepBatchSize);
        positive("sweepIntervalMs", sweepIntervalMs);
        positive("scheduleCheckIntervalMs", scheduleCheckIntervalMs);
        positive("sessionTtlMs", sessionTtlMs);
        if (impactSampleSize < 0 || impactSampleSize > 100) {
            throw new IllegalArgumentException("impactSampleSize: must be within 0..100, was " + impactSampleSize);
        }
        Objects.requireNonNull(component, "component");
        if (component.isBlank() || component.contains("/")) {
            throw new IllegalArgumentException("component: must be non-blank and contain no '/', was '" + component + "'");
        }
        positive("evictionIntervalMs", evictionIntervalMs);
        positive("evictionBatchSize", evictionBatchSize);
        positive("evictionCatchUpMs", evictionCatchUpMs);
        positive("clockSkewToleranceMs", clockSkewToleranceMs);
        positive("lastSeenGranularityMs", lastSeenGranularityMs);
        positive("parallelCountMinSessions", parallelCountMinSessions);
    }

    /** All settings but {@link #parallelCountMinSessions()}, which takes its default. */
    public EnforcementSettings(int sessionPartitions, int sweepBatchSize, long sweepIntervalMs, long scheduleCheckIntervalMs,
                               long sessionTtlMs, int impactSampleSize, String component, long evictionIntervalMs,
                               int evictionBatchSize, long evictionCatchUpMs, long clockSkewToleranceMs,
                               long lastSeenGranularityMs) {
        this(sessionPartitions, sweepBatchSize, sweepIntervalMs, scheduleCheckIntervalMs, sessionTtlMs, impactSampleSize,
                component, evictionIntervalMs, evictionBatchSize, evictionCatchUpMs, clockSkewToleranceMs, lastSeenGranularityMs,
                DEFAULT_PARALLEL_COUNT_MIN_SESSIONS);
    }

    /** The settings of earlier versions; skew tolerance and last-seen granularity at their defaults. */
    public EnforcementSettings(int sessionPartitions, int sweepBatchSize, long sweepIntervalMs, long scheduleCheckIntervalMs,
                               long sessionTtlMs, int impactSampleSize, String component, long evictionIntervalMs,
                               int evictionBatchSize, long evictionCatchUpMs) {
        this(sessionPartitions, sweepBatchSize, sweepIntervalMs, scheduleCheckIntervalMs, sessionTtlMs, impactSampleSize,
                component, evictionIntervalMs, evictionBatchSize, evictionCatchUpMs, DEFAULT_CLOCK_SKEW_TOLERANCE_MS,
                DEFAULT_LAST_SEEN_GRANULARITY_MS);
    }

    /**
     * Defaults: 12 partitions, 5000 records per 20 ms sweep punctuation, schedule check every 100 ms, TTL 30 min,
     * 100 samples, eviction every 1 s over 1000 sessions once caught up within 10 s, skew tolerance 5 min, last-seen
     * granularity 1 min.
     */
    public static EnforcementSettings defaults() {
        return new EnforcementSettings(TopicNames.DEFAULT_SESSION_PARTITIONS, 5000, 20, 100, 30 * 60 * 1000L, 100,
                DEFAULT_COMPONENT, 1000, 1000, 10_000);
    }

    public EnforcementSettings withSessionPartitions(int n) {
        return new EnforcementSettings(n, sweepBatchSize, sweepIntervalMs, scheduleCheckIntervalMs, sessionTtlMs,
                impactSampleSize, component, evictionIntervalMs, evictionBatchSize, evictionCatchUpMs, clockSkewToleranceMs,
                lastSeenGranularityMs, parallelCountMinSessions);
    }

    /** @param n session records examined per sweep punctuation (the sweep throttle) */
    public EnforcementSettings withSweepBatchSize(int n) {
        return new EnforcementSettings(sessionPartitions, n, sweepIntervalMs, scheduleCheckIntervalMs, sessionTtlMs,
                impactSampleSize, component, evictionIntervalMs, evictionBatchSize, evictionCatchUpMs, clockSkewToleranceMs,
                lastSeenGranularityMs, parallelCountMinSessions);
    }

    public EnforcementSettings withSessionTtlMs(long ms) {
        return new EnforcementSettings(sessionPartitions, sweepBatchSize, sweepIntervalMs, scheduleCheckIntervalMs, ms,
                impactSampleSize, component, evictionIntervalMs, evictionBatchSize, evictionCatchUpMs, clockSkewToleranceMs,
                lastSeenGranularityMs, parallelCountMinSessions);
    }

    public EnforcementSettings withEviction(long intervalMs, int batchSize, long catchUpMs) {
        return new EnforcementSettings(sessionPartitions, sweepBatchSize, sweepIntervalMs, scheduleCheckIntervalMs, sessionTtlMs,
                impactSampleSize, component, intervalMs, batchSize, catchUpMs, clockSkewToleranceMs, lastSeenGranularityMs, parallelCountMinSessions);
    }

    public EnforcementSettings withClockSkewToleranceMs(long ms) {
        return new EnforcementSettings(sessionPartitions, sweepBatchSize, sweepIntervalMs, scheduleCheckIntervalMs, sessionTtlMs,
                impactSampleSize, component, evictionIntervalMs, evictionBatchSize, evictionCatchUpMs, ms, lastSeenGranularityMs, parallelCountMinSessions);
    }

    public EnforcementSettings withLastSeenGranularityMs(long ms) {
        return new EnforcementSettings(sessionPartitions, sweepBatchSize, sweepIntervalMs, scheduleCheckIntervalMs, sessionTtlMs,
                impactSampleSize, component, evictionIntervalMs, evictionBatchSize, evictionCatchUpMs, clockSkewToleranceMs, ms, parallelCountMinSessions);
    }

    /** @param n sessions a task must hold for its counting-only sweeps to run on a worker thread */
    public EnforcementSettings withParallelCountMinSessions(long n) {
        return new EnforcementSettings(sessionPartitions, sweepBatchSize, sweepIntervalMs, scheduleCheckIntervalMs, sessionTtlMs,
                impactSampleSize, component, evictionIntervalMs, evictionBatchSize, evictionCatchUpMs, clockSkewToleranceMs,
                lastSeenGranularityMs, n);
    }

    /**
     * @param ordering the task wall clock and an event's {@code occurredAt}, ms
     * @return the time that orders the event among its session's events: {@code occurredAt}, or {@code nowMs} when
     *         {@code occurredAt} is more than {@link #clockSkewToleranceMs()} ahead of it
     */
    public long orderingTime(long occurredAt, long nowMs) {
        return occurredAt > nowMs + clockSkewToleranceMs ? nowMs : occurredAt;
    }

    private static void positive(String field, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + ": must be >= 1, was " + value);
        }
    }
}
