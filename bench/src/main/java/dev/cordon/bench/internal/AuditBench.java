package dev.cordon.bench.internal;

import dev.cordon.audit.AuditSink;
import dev.cordon.audit.AuditSinkConfig;
import dev.cordon.audit.AuditVerifier;
import dev.cordon.audit.VerifyReport;
import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.bench.BenchCluster;
import dev.cordon.bench.BenchTarget;
import dev.cordon.bench.Report;
import dev.cordon.bench.Report.Figure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Issue 5 point 4: entries/s appended by the audit sink (hash chain, RFC 6962 tree, signed checkpoints) and verified
 * by {@code cordon audit verify} (its database path, {@link AuditVerifier#verify(DataSource)}), against plain batched
 * INSERTs of the same rows into a table with only a primary key, in batches of the sink's batch size.
 */
public final class AuditBench {
    private AuditBench() {
    }

    /**
     * One audit run on a fresh pipeline on {@code target}: the embedded stack's PostgreSQL, or on an external cluster a
     * schema of the run's own in the external database (created and dropped by the run).
     *
     * @param entries audit events produced and stored, at least 1
     * @return the report: sink entries/s beside plain batched INSERTs, verify entries/s beside a plain SELECT
     * @throws Exception when the pipeline or the sink does not start or a wait times out
     */
    public static Report run(BenchTarget target, int entries, Consumer<String> progress) throws Exception {
        Report.Builder rb = new Report.Builder(String.format("audit trail, %,d entries", entries));
        try (BenchPipeline p = BenchPipeline.start(new BenchPipeline.Options(target, 12, true, false, Map.of(), progress))) {
            BenchCluster cluster = p.cluster();
            rb.note("target: " + cluster.describe());
            Map<String, Object> props = new HashMap<>(cluster.clientConfig());
            cluster.clientSettings().forEach((k, v) -> {
                props.put("consumer." + k, v);
                props.put("producer." + k, v);
                props.put("admin." + k, v);
            });
            props.put(AuditSinkConfig.GROUP_ID_CONFIG, cluster.id(BenchCluster.Role.AUDIT_SINK));
            props.put("topic.prefix", cluster.topicPrefix());
            props.put("jdbc.url", cluster.jdbcUrl());
            props.put("jdbc.owner.user", cluster.jdbcUser());
            if (cluster.jdbcPassword() != null) {
                props.put("jdbc.owner.password", cluster.jdbcPassword());
            }
            props.put("jdbc.user", cluster.auditServiceRole());
            props.put("jdbc.password", cluster.auditServicePassword());
            props.put("audit.signing.key.dir", cluster.dataDir().resolve("audit-keys").toString());
            int batch = new AuditSinkConfig(props).getInt(AuditSinkConfig.BATCH_MAX_RECORDS_CONFIG);
            try (AuditSink sink = AuditSink.start(new AuditSinkConfig(props))) {
                Waits.until("audit sink healthy", Duration.ofSeconds(60), sink::isHealthy);
                Map<String, Object> pp = new HashMap<>(cluster.clientConfig());
                pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                pp.put(ProducerConfig.ACKS_CONFIG, "all");
                pp.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
                pp.put(ProducerConfig.LINGER_MS_CONFIG, 5);
                // Events first (the sink's rate is what is measured, not the producer's): produce all, then time the sink
                // from its first stored entry to its last.
                String topic = p.topics().auditLog().name();
                long[] seq = new long[12];
                Instant at = Instant.now();
                long t0 = System.nanoTime();
                try (KafkaProducer<String, AuditEvent> producer = new KafkaProducer<>(pp, p.topics().auditLog().keySerde().serializer(),
                        p.topics().auditLog().valueSerde().serializer())) {
                    for (int i = 0; i < entries; i++) {
                        int part = i % 12;
                        String session = "s-" + i;
                        AuditEvent e = AuditEvent.newBuilder().setEventId("bench-" + i).setType(AuditEventType.SESSION_REVOKED)
                                .setComponent("enforcement-stream").setSourcePartition(part).setSequence(++seq[part])
                                .setOccurredAt(at.plusMillis(i)).setDirectiveId("BIS-2026-AI-001").setDirectiveRevision(1)
                                .setSessionId(session).setCommandId("cmd-" + i)
                                .setDetails(Map.of("matched", "nationality NOT_IN [US]", "resource", "fable-5", "attempt", "1"))
                                .build();
                        producer.send(new ProducerRecord<>(topic, session, e));
                    }
                    producer.flush();
                }
                double producedMs = (System.nanoTime() - t0) / 1e6;
                long firstSeq = sink.lastSequence();
                long t1 = System.nanoTime();
                Waits.until("sink stored every entry", Duration.ofSeconds(60 + entries / 500), () -> sink.lastSequence() >= entries);
                double tailMs = (System.nanoTime() - t1) / 1e6;
                double sinkMs = (System.nanoTime() - t0) / 1e6;
                progress.accept(String.format("audit sink: %,d entries in %.0f ms from the first send; %,d stored while producing (%.0f ms), "
                        + "the other %,d in %.0f ms", entries, sinkMs, firstSeq, producedMs, entries - firstSeq, tailMs));
                rb.note(String.format("sink: %,d of %,d entries stored while the producer was still sending (%.0f ms); the remaining "
                        + "%,d in %.0f ms = %,.0f entries/s (the sink alone)", firstSeq, entries, producedMs, entries - firstSeq, tailMs,
                        (entries - firstSeq) / tailMs * 1000));

                DataSource owner = cluster.dataSource();
                long v0 = System.nanoTime();
                VerifyReport vr = AuditVerifier.verify(owner);
                double verifyMs = (System.nanoTime() - v0) / 1e6;
                progress.accept(String.format("verify: ok=%s %,d entries in %.0f ms", vr.ok(), vr.entries(), verifyMs));

                double plainMs = plainInserts(owner, batch);
                double readMs = plainRead(owner);
                progress.accept(String.format("plain batched INSERT: %.0f ms; plain SELECT: %.0f ms", plainMs, readMs));

                double sinkRate = entries / sinkMs * 1000;
                double plainRate = entries / plainMs * 1000;
                double verifyRate = vr.entries() / verifyMs * 1000;
                double readRate = entries / readMs * 1000;
                rb.add(new Figure("entries/s appended by the audit sink (from the producer's first send to the last entry stored)",
                        sinkRate, "entries/s", plainRate, "plain batched INSERTs of the same rows, batches of " + batch,
                        sinkRate / plainRate, "", "").withTarget(">= 50,000 entries/s", sinkRate >= 50_000));
                rb.add(new Figure("entries/s verified by `cordon audit verify` (database)", verifyRate, "entries/s", readRate,
                        "plain SELECT of the same rows, fetch size " + AuditVerifier.FETCH_SIZE, verifyRate / readRate, "", "")
                        .withTarget(">= 500,000 entries/s", verifyRate >= 500_000));
                rb.add(Figure.plain("verify result ok", vr.ok() ? 1 : 0, "").withTarget("ok", vr.ok()));
                rb.note("audit-log has 1 partition (DESIGN.md); events are SESSION_REVOKED with details, as the fan-out writes; "
                        + "the headline rate is timed from the producer's first send to the last entry stored");
            }
            return rb.build();
        }
    }

    private static final String COLUMNS = "seq, recorded_at_ms, event_type, event_id, origin_component, origin_partition, "
            + "origin_sequence, occurred_at_ms, directive_id, session_id, kafka_topic, kafka_partition, kafka_offset, "
            + "kafka_timestamp_ms, kafka_key, payload_format, payload, details, prev_hash, entry_hash";

    /** Copies the sink's rows into memory, then times inserting them into a plain table. @return ms */
    static double plainInserts(DataSource ds, int batch) throws Exception {
        List<Object[]> rows = new ArrayList<>();
        int cols = COLUMNS.split(",").length;
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_plain_entries");
            s.execute("CREATE TABLE bench_plain_entries (LIKE audit_entries)");
            s.execute("ALTER TABLE bench_plain_entries ADD PRIMARY KEY (seq)");
            try (ResultSet rs = s.executeQuery("SELECT " + COLUMNS + " FROM audit_entries ORDER BY seq")) {
                while (rs.next()) {
                    Object[] row = new Object[cols];
                    for (int i = 0; i < cols; i++) {
                        row[i] = rs.getObject(i + 1);
                    }
                    rows.add(row);
                }
            }
        }
        String sql = "INSERT INTO bench_plain_entries (" + COLUMNS + ") VALUES (" + "?,".repeat(cols - 1) + "?)";
        if (ds instanceof org.postgresql.ds.common.BaseDataSource pg) {
            pg.setReWriteBatchedInserts(true); // as the sink's pool does: the baseline gets the same driver tuning
        }
        long t0 = System.nanoTime();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int n = 0;
                for (Object[] row : rows) {
                    for (int i = 0; i < cols; i++) {
                        ps.setObject(i + 1, row[i]);
                    }
                    ps.addBatch();
                    if (++n % batch == 0) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
                ps.executeBatch();
                c.commit();
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    /** Times reading every row of audit_entries with the verifier's fetch size. @return ms */
    static double plainRead(DataSource ds) throws Exception {
        long t0 = System.nanoTime();
        long n = 0;
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(AuditVerifier.FETCH_SIZE);
                try (ResultSet rs = s.executeQuery("SELECT " + COLUMNS + " FROM audit_entries ORDER BY seq")) {
                    while (rs.next()) {
                        for (int i = 1; i <= 20; i++) {
                            rs.getObject(i);
                        }
                        n++;
                    }
                }
            }
        }
        return n == 0 ? Double.NaN : (System.nanoTime() - t0) / 1e6;
    }
}
