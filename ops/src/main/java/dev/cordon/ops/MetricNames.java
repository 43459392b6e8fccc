package dev.cordon.ops;

import java.util.List;

/**
 * One place for Cordon's meter names (STYLE.md §3). Names are Micrometer's dotted form; the Prometheus name
 * each one is scraped as is given after the arrow (Micrometer's {@code PrometheusNamingConvention}: dots become
 * underscores, counters get {@code _total}, timers {@code _seconds}, a base unit is appended). Every meter carries
 * the common tag {@code service} ({@link OpsMetrics#create(String)}).
 *
 * <p>Counters are monotonic: use {@code rate(...[1m])} in Prometheus for "per second".
 */
public final class MetricNames {
    private MetricNames() {
    }

    /** The common tag naming the service: {@code directive-ingest}, {@code enforcement-stream}, {@code audit-sink}, {@code caep}. */
    public static final String TAG_SERVICE = "service";

    // ---- audit-sink ----
    /** Gauge, records: audit-log end offset (read_committed) − next offset to store, summed over partitions → {@code cordon_audit_lag_records}. */
    public static final String AUDIT_LAG = "cordon.audit.lag";
    /** Base unit of {@link #AUDIT_LAG}. */
    public static final String UNIT_RECORDS = "records";
    /** Gauge: seq of the last entry stored (the hash-chain head) → {@code cordon_audit_chain_head_sequence}. */
    public static final String AUDIT_CHAIN_HEAD = "cordon.audit.chain.head.sequence";
    /** Counter: entries appended to the trail (tag {@code type}: the entry's event type) → {@code cordon_audit_entries_appended_total}. */
    public static final String AUDIT_ENTRIES_APPENDED = "cordon.audit.entries.appended";
    /** Counter: checkpoints signed (tag {@code reason}: FIRST, PERIODIC, DIRECTIVE, ROTATION) → {@code cordon_audit_checkpoints_signed_total}. */
    public static final String AUDIT_CHECKPOINTS_SIGNED = "cordon.audit.checkpoints.signed";
    /** Time gauge, epoch seconds of the last checkpoint signed by this process → {@code cordon_audit_checkpoint_last_signed_timestamp_seconds}. */
    public static final String AUDIT_CHECKPOINT_LAST_SIGNED = "cordon.audit.checkpoint.last.signed.timestamp";
    /** Counter: unreadable audit-log records sent to dead-letters → {@code cordon_audit_dead_letters_total}. */
    public static final String AUDIT_DEAD_LETTERS = "cordon.audit.dead.letters";
    /** Counter: batches that could not be stored and are retried (database or dead-letter error) → {@code cordon_audit_store_failures_total}. */
    public static final String AUDIT_STORE_FAILURES = "cordon.audit.store.failures";
    /** Gauge, 1 or 0: {@code AuditSink.isHealthy()} → {@code cordon_audit_sink_healthy}. */
    public static final String AUDIT_SINK_HEALTHY = "cordon.audit.sink.healthy";

    // ---- caep ----
    /** Counter: SETs signed and stored (one per REVOKE and receiver) → {@code cordon_caep_events_signed_total}. */
    public static final String CAEP_EVENTS_SIGNED = "cordon.caep.events.signed";
    /** Counter: SETs delivered (tags {@code receiver}, {@code delivery}=push|poll) → {@code cordon_caep_events_delivered_total}. */
    public static final String CAEP_EVENTS_DELIVERED = "cordon.caep.events.delivered";
    /** Counter: SETs marked FAILED for good (tags {@code receiver}, {@code delivery}) → {@code cordon_caep_events_failed_total}. */
    public static final String CAEP_EVENTS_FAILED = "cordon.caep.events.failed";
    /** Counter: push attempts that failed and were rescheduled (tag {@code receiver}) → {@code cordon_caep_push_retries_total}. */
    public static final String CAEP_PUSH_RETRIES = "cordon.caep.push.retries";
    /** Gauge: SETs still PENDING in the delivery store (tag {@code receiver}) → {@code cordon_caep_events_pending}. */
    public static final String CAEP_EVENTS_PENDING = "cordon.caep.events.pending";

    // ---- enforcement-stream ----
    /** Gauge: directives in force (DESIGN.md "Directive lifecycle") → {@code cordon_enforcement_directives_in_force}. */
    public static final String ENFORCEMENT_DIRECTIVES_IN_FORCE = "cordon.enforcement.directives.in.force";
    /** Gauge: ACTIVE sessions in this instance's stores → {@code cordon_enforcement_sessions_active}. */
    public static final String ENFORCEMENT_SESSIONS_ACTIVE = "cordon.enforcement.sessions.active";
    /** Counter: commands emitted (tag {@code kind}=REVOKE|DENY) → {@code cordon_enforcement_commands_total}. */
    public static final String ENFORCEMENT_COMMANDS = "cordon.enforcement.commands";
    /** Timer with histogram: directive acceptance → last revocation of its sweep (AGGREGATE impact reports) → {@code cordon_enforcement_directive_revocation_latency_seconds}. */
    public static final String ENFORCEMENT_REVOCATION_LATENCY = "cordon.enforcement.directive.revocation.latency";
    /** Counter: records sent to dead-letters (tag {@code stage}: deserialize|process|produce) → {@code cordon_enforcement_dead_letters_total}. */
    public static final String ENFORCEMENT_DEAD_LETTERS = "cordon.enforcement.dead.letters";

    // ---- Kafka Streams (KafkaStreamsOps) ----
    /** Gauge, 1 or 0: KafkaStreams state is RUNNING → {@code cordon_streams_running}. */
    public static final String STREAMS_RUNNING = "cordon.streams.running";
    /** Gauge: stream threads alive (not DEAD / PENDING_SHUTDOWN) → {@code cordon_streams_alive_threads}. */
    public static final String STREAMS_ALIVE_THREADS = "cordon.streams.alive.threads";
    /** Counter: stream threads that died with an uncaught exception (count it in the uncaught exception handler) → {@code cordon_streams_thread_deaths_total}. */
    public static final String STREAMS_THREAD_DEATHS = "cordon.streams.thread.deaths";

    // ---- directive-ingest ----
    /** Counter: directive documents answered (tags {@code outcome}=accepted|refused, {@code status}=HTTP status, {@code mode}) → {@code cordon_ingest_directives_total}. */
    public static final String INGEST_DIRECTIVES = "cordon.ingest.directives";
    /** Timer: HTTP requests (tags {@code method}, {@code route}, {@code status}) → {@code cordon_ingest_http_requests_seconds}; see {@link HttpMetrics}. */
    public static final String INGEST_HTTP_REQUESTS = "cordon.ingest.http.requests";

    /**
     * Every Cordon meter with its Micrometer type and base unit, so that tests (and the alert rule test) can
     * compute the Prometheus names.
     *
     * @param name     dotted Micrometer name
     * @param type     Micrometer meter type
     * @param baseUnit base unit, or {@code null}
     */
    public record Meter(String name, io.micrometer.core.instrument.Meter.Type type, String baseUnit) {
    }

    /** @return every meter named in this class */
    public static List<Meter> all() {
        var g = io.micrometer.core.instrument.Meter.Type.GAUGE;
        var c = io.micrometer.core.instrument.Meter.Type.COUNTER;
        var t = io.micrometer.core.instrument.Meter.Type.TIMER;
        return List.of(
                new Meter(AUDIT_LAG, g, UNIT_RECORDS), new Meter(AUDIT_CHAIN_HEAD, g, null),
                new Meter(AUDIT_ENTRIES_APPENDED, c, null), new Meter(AUDIT_CHECKPOINTS_SIGNED, c, null),
                new Meter(AUDIT_CHECKPOINT_LAST_SIGNED, g, "seconds"), new Meter(AUDIT_DEAD_LETTERS, c, null),
                new Meter(AUDIT_STORE_FAILURES, c, null), new Meter(AUDIT_SINK_HEALTHY, g, null),
                new Meter(CAEP_EVENTS_SIGNED, c, null), new Meter(CAEP_EVENTS_DELIVERED, c, null),
                new Meter(CAEP_EVENTS_FAILED, c, null), new Meter(CAEP_PUSH_RETRIES, c, null),
                new Meter(CAEP_EVENTS_PENDING, g, null),
                new Meter(ENFORCEMENT_DIRECTIVES_IN_FORCE, g, null), new Meter(ENFORCEMENT_SESSIONS_ACTIVE, g, null),
                new Meter(ENFORCEMENT_COMMANDS, c, null), new Meter(ENFORCEMENT_REVOCATION_LATENCY, t, "seconds"),
                new Meter(ENFORCEMENT_DEAD_LETTERS, c, null),
                new Meter(STREAMS_RUNNING, g, null), new Meter(STREAMS_ALIVE_THREADS, g, null),
                new Meter(STREAMS_THREAD_DEATHS, c, null),
                new Meter(INGEST_DIRECTIVES, c, null), new Meter(INGEST_HTTP_REQUESTS, t, "seconds"));
    }
}
