package dev.cordon.bench.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A read_committed reader of one topic from given offsets, on its own thread: counts records and notes when the
 * first arrived and when the count reached a target (System.nanoTime()).
 */
public final class CommandWatcher implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final AtomicLong count = new AtomicLong();
    private final long target;
    private final BiConsumer<ConsumerRecord<byte[], byte[]>, Long> onRecord;
    private volatile long firstNanos;
    private volatile long targetNanos;
    private volatile boolean running = true;
    private volatile Throwable failure;

    /**
     * @param from     start offset per partition (every partition of the topic)
     * @param target   record count whose arrival time is noted
     * @param onRecord called per record with its arrival nanoTime (may be {@code null})
     */
    public CommandWatcher(Map<String, Object> clientConfig, Map<TopicPartition, Long> from, long target,
                          BiConsumer<ConsumerRecord<byte[], byte[]>, Long> onRecord) {
        this.consumer = KafkaTools.rawConsumer(clientConfig);
        this.target = target;
        this.onRecord = onRecord;
        this.thread = new Thread(() -> loop(from), "bench-command-watcher");
        this.thread.setDaemon(true);
    }

    /** Starts reading and returns once the consumer is positioned on every partition. */
    public CommandWatcher start() throws InterruptedException {
        thread.start();
        if (!ready.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("command watcher not positioned after 30 s: " + failure);
        }
        return this;
    }

    private void loop(Map<TopicPartition, Long> from) {
        try {
            consumer.assign(List.copyOf(from.keySet()));
            from.forEach(consumer::seek);
            from.keySet().forEach(consumer::position);
            ready.countDown();
            while (running) {
                var records = consumer.poll(Duration.ofMillis(5));
                if (records.isEmpty()) {
                    continue;
                }
                long now = System.nanoTime();
                if (firstNanos == 0) {
                    firstNanos = now;
                }
                if (onRecord != null) {
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        onRecord.accept(r, now);
                    }
                }
                if (count.addAndGet(records.count()) >= target && targetNanos == 0) {
                    targetNanos = now;
                }
            }
        } catch (Throwable t) {
            failure = t;
            ready.countDown();
        }
    }

    public long count() {
        return count.get();
    }

    /** @return nanoTime of the first record, or 0 */
    public long firstNanos() {
        return firstNanos;
    }

    /** @return nanoTime when the count reached the target, or 0 */
    public long targetNanos() {
        return targetNanos;
    }

    public Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
        consumer.close();
    }
}
