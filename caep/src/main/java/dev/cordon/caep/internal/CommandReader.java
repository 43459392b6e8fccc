package dev.cordon.caep.internal;

import dev.cordon.avro.CommandKind;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.caep.CaepConfig;
import dev.cordon.schemas.registry.SchemaRegistryException;
import dev.cordon.schemas.serde.SpecificAvroDeserializer;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads revocation-commands ({@code read_committed}, every partition assigned, no consumer group: the
 * position lives in the delivery store) and turns each {@code REVOKE} into one signed SET per receiver,
 * stored with the position in one transaction. {@code DENY} commands are skipped: no session was established,
 * so there is nothing to revoke.
 *
 * <p>Failures: a database or registry outage rewinds to the stored position and retries after a backoff
 * (nothing is skipped); a record that can never be decoded (bad framing, unknown schema id) is logged at ERROR
 * with its topic, partition and offset and passed over — enforcement-stream wrote it, and it is in the topic for
 * anyone to inspect.
 */
public final class CommandReader implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandReader.class);
    private static final long RETRY_BACKOFF_MS = 1_000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final SpecificAvroDeserializer<RevocationCommand> values;
    private final String topic;
    private final boolean fromEarliest;
    private final List<CaepConfig.Receiver> receivers;
    private final SetFactory sets;
    private final DeliveryStore store;
    private final NewEvents newEvents;
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Throwable startFailure;

    public CommandReader(Map<String, Object> kafkaConfig, Map<String, Object> serdeConfig, String topic, boolean fromEarliest,
                         List<CaepConfig.Receiver> receivers, SetFactory sets, DeliveryStore store, NewEvents newEvents) {
        Map<String, Object> c = new HashMap<>(kafkaConfig);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "cordon-caep");
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.values = new SpecificAvroDeserializer<>(RevocationCommand.class);
        this.values.configure(serdeConfig, false);
        this.topic = topic;
        this.fromEarliest = fromEarliest;
        this.receivers = receivers;
        this.sets = sets;
        this.store = store;
        this.newEvents = newEvents;
    }

    /**
     * Blocks until the reader has its partitions and positions (or failed to get them).
     *
     * @throws IllegalStateException when the topic is missing or the position cannot be read within {@code timeout}
     */
    public void awaitReady(Duration timeout) throws InterruptedException {
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("revocation-commands reader not ready within " + timeout.toMillis() + " ms");
        }
        if (startFailure != null) {
            throw new IllegalStateException("revocation-commands reader failed to start: " + startFailure.getMessage(), startFailure);
        }
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> partitions = partitions();
            consumer.assign(partitions);
            seekToStored(partitions);
        } catch (RuntimeException | SQLException e) {
            startFailure = e;
            ready.countDown();
            consumer.close();
            return;
        }
        ready.countDown();
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    handle(records);
                } catch (SQLException | RetryLater e) {
                    LOG.warn("CAEP: storing SETs failed, rewinding to the stored position and retrying in {} ms: {}",
                            RETRY_BACKOFF_MS, e.toString());
                    rewind();
                    Thread.sleep(RETRY_BACKOFF_MS);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close();
            values.close();
        }
    }

    private List<TopicPartition> partitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist; create it with `cordon topics create`");
        }
        return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    private void seekToStored(List<TopicPartition> partitions) throws SQLException {
        Map<Integer, Long> stored = store.offsets(topic);
        List<TopicPartition> unknown = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            Long next = stored.get(tp.partition());
            if (next != null) {
                consumer.seek(tp, next);
            } else {
                unknown.add(tp);
            }
        }
        if (!unknown.isEmpty()) {
            if (fromEarliest) {
                consumer.seekToBeginning(unknown);
            } else {
                consumer.seekToEnd(unknown);
            }
            // Resolve the lazy seek now, so "latest" means the end at start-up, not at the first poll.
            unknown.forEach(consumer::position);
        }
    }

    private void rewind() {
        try {
            seekToStored(new ArrayList<>(consumer.assignment()));
        } catch (SQLException | RuntimeException e) {
            LOG.warn("CAEP: cannot read the stored position yet: {}", e.toString());
        }
    }

    private void handle(ConsumerRecords<byte[], byte[]> records) throws SQLException {
        List<DeliveryStore.NewSet> batch = new ArrayList<>();
        Map<Integer, Long> next = new HashMap<>();
        Instant now = Instant.now();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            next.put(record.partition(), record.offset() + 1);
            RevocationCommand command = decode(record);
            if (command == null || command.getKind() != CommandKind.REVOKE) {
                continue;
            }
            for (CaepConfig.Receiver r : receivers) {
                batch.add(new DeliveryStore.NewSet(SetFactory.jti(r.name(), command.getCommandId()), r.name(),
                        command.getCommandId(), command.getSessionId(),
                        sets.sessionRevoked(command, r.name(), r.audience(), now)));
            }
        }
        int inserted = store.append(batch, topic, next);
        if (inserted > 0) {
            newEvents.signal();
        }
        LOG.debug("CAEP: {} new SETs from {} records", inserted, records.count());
    }

    private RevocationCommand decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return values.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            // The deserializer wraps registry failures; only "that schema id does not exist" is permanent.
            if (e.getCause() instanceof SchemaRegistryException sr && sr.errorCode() != SchemaRegistryException.SCHEMA_NOT_FOUND) {
                throw new RetryLater(e);
            }
            LOG.error("CAEP: skipping unreadable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
            return null;
        }
    }

    /** @return the consumer, for binding its client metrics (thread-safe: {@code metrics()} only) */
    public org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer() {
        return consumer;
    }

    /** Stops the loop (from another thread). */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /** A transient failure (registry unreachable): rewind and retry. */
    private static final class RetryLater extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RetryLater(Throwable cause) {
            super(cause);
        }
    }
}
