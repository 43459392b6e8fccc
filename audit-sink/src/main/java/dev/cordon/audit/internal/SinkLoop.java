package dev.cordon.audit.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.AuditEntry;
import dev.cordon.audit.SignedCheckpoint;
import dev.cordon.audit.TreeLeaf;
import dev.cordon.audit.merkle.CompactRange;
import dev.cordon.audit.merkle.TreeNode;
import dev.cordon.avro.AuditEvent;
import dev.cordon.schemas.TopicNames;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's consumer loop. Per poll batch: decode, dead-letter the unreadable records (flushed),
 * then one database transaction that appends the entries with seq = head + 1…, then an informational
 * Kafka offset commit. The database is the source of truth for the position: partitions are paused
 * on assignment and resumed after seeking to the highest stored offset + 1.
 */
public final class SinkLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SinkLoop.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> deadLetterProducer;
    private final DataSource dataSource;
    private final Deserializer<AuditEvent> deserializer;
    private final String auditTopic;
    private final String deadLetterTopic;
    private final Duration pollTimeout;
    private final long backoffMs;
    private final long backoffMaxMs;

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean healthy = new AtomicBoolean(false);
    private final AtomicLong lastSequence = new AtomicLong();
    private final AtomicReference<Throwable> lastError = new AtomicReference<>();
    private final Set<TopicPartition> pendingSeek = new HashSet<>();
    private final Checkpointer checkpointer;
    private final java.util.function.Consumer<SignedCheckpoint> publisher;
    private final AtomicReference<SignedCheckpoint> lastCheckpoint = new AtomicReference<>();
    private long lastIdleCheckMs;
    private final SinkMetrics metrics;
    /** Per partition, the next offset to consume once everything before it is stored (read by the lag monitor). */
    private final Map<TopicPartition, Long> durablePositions = new java.util.concurrent.ConcurrentHashMap<>();
    /** How often the loop checks, between batches, whether a periodic checkpoint is due. */
    static final long IDLE_CHECK_MS = 1_000;

    public SinkLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> deadLetterProducer,
                    DataSource dataSource, Deserializer<AuditEvent> deserializer, String auditTopic,
                    String deadLetterTopic, Duration pollTimeout, long backoffMs, long backoffMaxMs,
                    long initialSequence, Checkpointer checkpointer,
                    java.util.function.Consumer<SignedCheckpoint> publisher, SinkMetrics metrics) {
        this.metrics = metrics;
        this.checkpointer = checkpointer;
        this.publisher = publisher;
        this.consumer = consumer;
        this.deadLetterProducer = deadLetterProducer;
        this.dataSource = dataSource;
        this.deserializer = deserializer;
        this.auditTopic = auditTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.pollTimeout = pollTimeout;
        this.backoffMs = backoffMs;
        this.backoffMaxMs = backoffMaxMs;
        this.lastSequence.set(initialSequence);
        this.healthy.set(true);
    }

    public long lastSequence() {
        return lastSequence.get();
    }

    public boolean healthy() {
        return healthy.get();
    }

    public Throwable lastError() {
        return lastError.get();
    }

    /** @return the last checkpoint this loop signed, or {@code null} */
    public SignedCheckpoint lastCheckpoint() {
        return lastCheckpoint.get();
    }

    /**
     * @return per assigned partition, the next offset to read such that every record before it is stored (a copy;
     *         partitions whose position is not known yet are absent)
     */
    public Map<TopicPartition, Long> durablePositions() {
        return Map.copyOf(durablePositions);
    }

    /** Asks the loop to stop; it leaves within one poll or backoff step. */
    public void stop() {
        running.set(false);
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(auditTopic), new SeekFromDatabase());
            while (running.get()) {
                publishPositions();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
                seekPending();
                if (!records.isEmpty()) {
                    storeWithRetry(records);
                }
                checkpointIfDue();
            }
            checkpointOnShutdown();
        } catch (WakeupException e) {
            if (running.get()) {
                fail(e);
            } else {
                checkpointOnShutdown();
            }
        } catch (RuntimeException | Error e) {
            fail(e);
            throw e;
        }
    }

    private void fail(Throwable e) {
        healthy.set(false);
        lastError.set(e);
        LOG.error("audit sink loop stopped", e);
    }

    /** Pauses new partitions until their position is read from the database (the source of truth). */
    private final class SeekFromDatabase implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            pendingSeek.addAll(partitions);
            consumer.pause(partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            pendingSeek.removeAll(partitions);
            partitions.forEach(durablePositions::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            pendingSeek.removeAll(partitions);
            partitions.forEach(durablePositions::remove);
        }
    }

    /**
     * Called between batches, when every record polled so far is stored: the consumer position of each partition
     * (which also steps over transaction markers) is then durable. Local calls only; a position still being
     * resolved (after seekToBeginning) is skipped.
     */
    private void publishPositions() {
        for (TopicPartition tp : consumer.assignment()) {
            if (pendingSeek.contains(tp)) {
                continue;
            }
            try {
                durablePositions.put(tp, consumer.position(tp, Duration.ZERO));
            } catch (org.apache.kafka.common.errors.TimeoutException notResolvedYet) {
                // keep the previous value
            }
        }
    }

    private void seekPending() {
        if (pendingSeek.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> next = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            for (TopicPartition tp : pendingSeek) {
                next.put(tp, EntryStore.maxOffset(c, tp.topic(), tp.partition()) + 1);
            }
        } catch (SQLException e) {
            // Stay paused; the next poll (which keeps group membership) retries.
            unhealthy("cannot read the resume position from the database", e);
            return;
        }
        next.forEach((tp, offset) -> {
            durablePositions.put(tp, offset);
            if (offset == 0) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, offset);
            }
        });
        consumer.resume(next.keySet());
        pendingSeek.removeAll(next.keySet());
        LOG.info("audit sink resumes from the database at {}", next);
    }

    private void storeWithRetry(ConsumerRecords<byte[], byte[]> records) {
        long wait = backoffMs;
        while (running.get()) {
            try {
                List<Decoded> batch = new ArrayList<>(records.count());
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    batch.add(decode(r));
                }
                sendDeadLetters(batch);
                List<AuditEntry> stored = append(batch);
                if (!stored.isEmpty()) {
                    lastSequence.set(stored.get(stored.size() - 1).seq());
                    metrics.appended(stored);
                }
                healthy.set(true);
            } catch (Exception e) {
                metrics.storeFailed();
                unhealthy("cannot store a batch of " + records.count() + " audit records; retrying in " + wait + " ms", e);
                pauseAndWait(wait);
                wait = Math.min(backoffMaxMs, wait * 2);
                continue;
            }
            commitOffsets(records);
            return;
        }
    }

    /** Waits without leaving the consumer group: poll with every partition paused returns nothing. */
    private void pauseAndWait(long ms) {
        Set<TopicPartition> assigned = consumer.assignment();
        consumer.pause(assigned);
        consumer.poll(Duration.ofMillis(ms));
        Set<TopicPartition> resumable = new HashSet<>(consumer.assignment());
        resumable.removeAll(pendingSeek);
        consumer.resume(resumable);
        // A rebalance during the wait re-reads positions from the database before the next fetch.
        seekPending();
    }

    private void unhealthy(String what, Exception e) {
        healthy.set(false);
        lastError.set(e);
        LOG.warn("audit sink: {}: {}", what, e.toString());
    }

    private record Decoded(ConsumerRecord<byte[], byte[]> record, AuditEvent event, Exception error) {
    }

    /**
     * Decodes one record. A failure caused by the environment (registry unreachable, class not trusted by
     * Avro, serde not implemented) is thrown — the batch is retried — because storing the record as
     * unreadable would misreport a good event; any other failure means the bytes are unreadable.
     */
    private Decoded decode(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return new Decoded(r, null, new IllegalArgumentException("record value is null (tombstone)"));
        }
        try {
            AuditEvent e = deserializer.deserialize(r.topic(), r.headers(), r.value());
            if (e == null) {
                return new Decoded(r, null, new IllegalArgumentException("deserializer returned null"));
            }
            return new Decoded(r, e, null);
        } catch (RuntimeException ex) {
            if (environmental(ex)) {
                throw ex;
            }
            return new Decoded(r, null, ex);
        }
    }

    static boolean environmental(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.net.SocketException || c instanceof java.net.SocketTimeoutException
                    || c instanceof java.net.UnknownHostException || c instanceof java.net.http.HttpTimeoutException
                    || c instanceof java.net.http.HttpConnectTimeoutException
                    || c instanceof org.apache.kafka.common.errors.RetriableException
                    || c instanceof SecurityException || c instanceof UnsupportedOperationException
                    || c instanceof LinkageError) {
                return true;
            }
        }
        return false;
    }

    /** Sends every unreadable record to dead-letters and waits for the acknowledgements. */
    private void sendDeadLetters(List<Decoded> batch) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (Decoded d : batch) {
            if (d.error() == null) {
                continue;
            }
            ConsumerRecord<byte[], byte[]> r = d.record();
            ProducerRecord<byte[], byte[]> dl = new ProducerRecord<>(deadLetterTopic, null, r.key(), r.value());
            for (Header h : r.headers()) {
                dl.headers().add(h);
            }
            dl.headers().add(TopicNames.HEADER_DLQ_TOPIC, utf8(r.topic()));
            dl.headers().add(TopicNames.HEADER_DLQ_PARTITION, utf8(Integer.toString(r.partition())));
            dl.headers().add(TopicNames.HEADER_DLQ_OFFSET, utf8(Long.toString(r.offset())));
            dl.headers().add(TopicNames.HEADER_DLQ_EXCEPTION, utf8(d.error().getClass().getName()));
            dl.headers().add(TopicNames.HEADER_DLQ_MESSAGE, utf8(String.valueOf(d.error().getMessage())));
            sent.add(deadLetterProducer.send(dl));
        }
        if (!sent.isEmpty()) {
            deadLetterProducer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
            metrics.deadLettered(sent.size());
        }
    }

    /**
     * One transaction: lock out other writers, read the head, skip records already stored (offset ≤
     * stored max per partition), append the rest with consecutive seq and chained hashes.
     */
    private List<AuditEntry> append(List<Decoded> batch) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                EntryStore.lockWriter(c);
                EntryStore.Head head = EntryStore.head(c);
                Map<TopicPartition, Long> stored = new HashMap<>();
                long now = System.currentTimeMillis();
                long seq = head.seq();
                byte[] prev = head.hash();
                List<AuditEntry> entries = new ArrayList<>(batch.size());
                for (Decoded d : batch) {
                    ConsumerRecord<byte[], byte[]> r = d.record();
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    long max = stored.computeIfAbsent(tp, t -> maxOffsetUnchecked(c, t));
                    if (r.offset() <= max) {
                        continue; // redelivered: already stored (provenance is unique)
                    }
                    stored.put(tp, r.offset());
                    AuditEntry entry = toEntry(++seq, now, d).chainedAfter(prev);
                    prev = entry.entryHash();
                    entries.add(entry);
                }
                EntryStore.insert(c, entries);
                SignedCheckpoint cp = null;
                if (!entries.isEmpty()) {
                    CompactRange tree = extendTree(c, head.seq(), entries, now);
                    boolean directive = entries.stream().anyMatch(e -> "DIRECTIVE_ACCEPTED".equals(e.eventType())
                            || "DIRECTIVE_RECEIVED".equals(e.eventType()));
                    cp = checkpointer.maybeSign(c, tree, directive, now);
                }
                c.commit();
                published(cp);
                return entries;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                checkpointer.rolledBack();
                throw e;
            }
        } catch (UncheckedSql e) {
            throw e.getCause();
        }
    }

    /**
     * Appends the new entries' leaves to the stored compact range in the caller's transaction: stores every
     * perfect-subtree node the appends complete and the new tree head. Entries stored before the tree existed
     * (a V1 trail) are added first, once, from their stored hashes.
     */
    public static CompactRange extendTree(Connection c, long headBefore, List<AuditEntry> entries, long now)
            throws SQLException {
        CompactRange tree = TreeStore.head(c);
        if (tree.size() > headBefore) {
            throw new IllegalStateException("audit_tree_heads is at size " + tree.size() + " but audit_entries ends at seq "
                    + headBefore + ": the tree is ahead of the log");
        }
        List<TreeNode> nodes = new ArrayList<>(entries.size() * 2 + 8);
        if (tree.size() < headBefore) {
            LOG.info("audit sink: adding entries {}..{} (stored before the Merkle tree) to the tree", tree.size() + 1,
                    headBefore);
            for (byte[] h : TreeStore.entryHashes(c, tree.size() + 1, headBefore)) {
                nodes.addAll(tree.append(TreeLeaf.leafHashOf(h)));
            }
        }
        for (AuditEntry e : entries) {
            nodes.addAll(tree.append(TreeLeaf.leafHashOf(e.entryHash())));
        }
        TreeStore.insertNodes(c, nodes);
        TreeStore.insertHead(c, tree, now);
        return tree;
    }

    /** Between batches: signs a periodic (or rotation) checkpoint when one is due, in its own transaction. */
    private void checkpointIfDue() {
        long now = System.currentTimeMillis();
        if (now - lastIdleCheckMs < IDLE_CHECK_MS) {
            return;
        }
        lastIdleCheckMs = now;
        sign(now, false);
    }

    /**
     * On a graceful stop: signs a {@code SHUTDOWN} checkpoint when entries were stored after the last one, so that
     * every entry of a stopped log is covered by a signature (auditors can prove any entry, witnesses cosign it).
     */
    private void checkpointOnShutdown() {
        if (!healthy.get()) {
            return; // a failing database: do not make things worse on the way out
        }
        sign(System.currentTimeMillis(), true);
    }

    private void sign(long now, boolean shutdown) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                EntryStore.lockWriter(c);
                long head = EntryStore.head(c).seq();
                CompactRange tree = TreeStore.head(c);
                if (tree.size() < head) {
                    tree = extendTree(c, head, List.of(), now);
                }
                SignedCheckpoint cp = shutdown ? checkpointer.signOnShutdown(c, tree, now)
                        : checkpointer.maybeSign(c, tree, false, now);
                c.commit();
                published(cp);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                checkpointer.rolledBack();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            unhealthy(shutdown ? "cannot sign the shutdown checkpoint" : "cannot sign a periodic checkpoint", e);
        }
    }

    private void published(SignedCheckpoint cp) {
        if (cp == null) {
            return;
        }
        lastCheckpoint.set(cp);
        metrics.checkpointSigned(cp);
        LOG.info("audit sink: signed checkpoint {} (size {}, {})", cp.number(), cp.treeSize(), cp.reason());
        try {
            publisher.accept(cp);
        } catch (RuntimeException e) {
            LOG.warn("audit sink: cannot publish checkpoint {}: {}", cp.number(), e.toString());
        }
    }

    private static long maxOffsetUnchecked(Connection c, TopicPartition tp) {
        try {
            return EntryStore.maxOffset(c, tp.topic(), tp.partition());
        } catch (SQLException e) {
            throw new UncheckedSql(e);
        }
    }

    private static final class UncheckedSql extends RuntimeException {
        UncheckedSql(SQLException e) {
            super(e);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    private static AuditEntry toEntry(long seq, long now, Decoded d) {
        ConsumerRecord<byte[], byte[]> r = d.record();
        AuditEvent e = d.event();
        if (e == null) {
            return new AuditEntry(seq, now, AuditEntry.TYPE_INPUT_UNREADABLE, null, null, null, null, null, null,
                    null, r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), AuditEntry.PAYLOAD_FORMAT_RAW,
                    r.value() == null ? new byte[0] : r.value(), unreadableDetails(d.error()), null, null);
        }
        return new AuditEntry(seq, now, e.getType().name(), e.getEventId(), e.getComponent(), e.getSourcePartition(),
                e.getSequence(), e.getOccurredAt().toEpochMilli(), e.getDirectiveId(), e.getSessionId(),
                r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), CanonicalAvro.PAYLOAD_FORMAT,
                CanonicalAvro.encode(e), null, null, null);
    }

    private static String unreadableDetails(Exception error) {
        ObjectNode n = JSON.createObjectNode();
        n.put("exception", error.getClass().getName());
        n.put("message", String.valueOf(error.getMessage()));
        Throwable cause = error.getCause();
        if (cause != null) {
            n.put("cause", cause.getClass().getName() + ": " + cause.getMessage());
        }
        return n.toString();
    }

    private void commitOffsets(ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> rs = records.records(tp);
            offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
        }
        try {
            consumer.commitSync(offsets);
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            // Informational only: the database holds the position.
            LOG.debug("audit sink: offset commit failed (the database keeps the position): {}", e.toString());
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
