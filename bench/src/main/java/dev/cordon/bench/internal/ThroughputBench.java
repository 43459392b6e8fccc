package dev.cordon.bench.internal;

import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.bench.BenchCluster;
import dev.cordon.bench.BenchTarget;
import dev.cordon.bench.Report;
import dev.cordon.bench.Report.Figure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Issue 5 point 2: sustained session events/s through the enforcement stream (exactly_once_v2; 70 % heartbeats, 20 %
 * starts, 10 % ends; 5 directives in force) against a plain transactional consume→produce pass-through of the same
 * number of events on session-events, each measured while the same producer writes the events.
 */
public final class ThroughputBench {
    private ThroughputBench() {
    }

    /** Generates the 70/20/10 mix over a growing pool of live sessions; resources model-0..model-19. */
    static final class Mix {
        private final Random rnd = new Random(7);
        private final List<String> live = new ArrayList<>();
        private final Map<String, Long> users = new HashMap<>();
        private final String prefix;
        private long next;

        Mix(String prefix) {
            this.prefix = prefix;
        }

        SessionEvent next(Instant at) {
            int r = rnd.nextInt(10);
            if (live.size() < 100 || r < 2) {
                String id = prefix + (next++);
                live.add(id);
                users.put(id, next);
                return Workload.event(id, SessionEventType.STARTED, resource(next), next, at);
            }
            int i = rnd.nextInt(live.size());
            String id = live.get(i);
            long user = users.get(id);
            if (r == 2) {
                live.set(i, live.get(live.size() - 1));
                live.remove(live.size() - 1);
                users.remove(id);
                return Workload.event(id, SessionEventType.ENDED, resource(user), user, at);
            }
            return Workload.event(id, SessionEventType.HEARTBEAT, resource(user), user, at);
        }

        static String resource(long user) {
            return "model-" + (user % 20);
        }
    }

    /** Directives 1..5: each restricts one of model-0..model-4 for one nationality (~2.5 % of sessions covered). */
    static void issueFiveDirectives(BenchPipeline p) throws Exception {
        String[] nat = {"NG", "IN", "BR", "JP", "GB"};
        for (int d = 0; d < 5; d++) {
            p.issue(p.restrict("bench-directive-" + d, List.of("model-" + d), "nationality", List.of(nat[d])));
        }
        FanOutBench.awaitIdle(p, Duration.ofSeconds(60));
    }

    static double produce(KafkaProducer<String, SessionEvent> producer, String topic, Mix mix, int events) {
        Instant at = Instant.now();
        long t0 = System.nanoTime();
        for (int i = 0; i < events; i++) {
            SessionEvent e = mix.next(at.plusMillis(i));
            producer.send(new ProducerRecord<>(topic, e.getSessionId(), e));
        }
        producer.flush();
        return (System.nanoTime() - t0) / 1e6;
    }

    /**
     * One throughput run on a fresh pipeline on {@code target}.
     *
     * @param events events timed (a further tenth is sent first, untimed, as warm-up), at least 1
     * @return the report: events/s through enforcement beside the pass-through's
     * @throws Exception when the pipeline does not start or a wait times out (the message names what was awaited)
     */
    public static Report run(BenchTarget target, int events, Map<String, Object> enforcementProps, Consumer<String> progress)
            throws Exception {
        Report.Builder rb = new Report.Builder(String.format("session throughput, %,d events (70/20/10 heartbeat/start/end), 5 directives in force", events));
        try (BenchPipeline p = BenchPipeline.start(new BenchPipeline.Options(target, 12, false, true, enforcementProps, progress))) {
            rb.note("target: " + p.cluster().describe());
            issueFiveDirectives(p);
            String topic = p.topics().sessionEvents().name();
            Mix mix = new Mix("s-");
            // warm-up: 10 % of the events, not timed
            try (KafkaProducer<String, SessionEvent> producer = p.sessionProducer(5)) {
                produce(producer, topic, mix, events / 10);
                FanOutBench.awaitIdle(p, Duration.ofSeconds(120));

                long t0 = System.nanoTime();
                double produceMs = produce(producer, topic, mix, events);
                FanOutBench.awaitIdle(p, Duration.ofSeconds(60 + events / 2_000));
                double cordonMs = (System.nanoTime() - t0) / 1e6;
                progress.accept(String.format("enforcement: %,d events in %.0f ms (producer alone %.0f ms)", events, cordonMs, produceMs));

                // Baseline: Cordon paused (KIP-834), a plain consume-transform-produce loop on the same topic.
                p.enforcement().streams().pause();
                double passMs;
                double produce2Ms;
                try (PassThrough pass = new PassThrough(p, topic, p.cluster().topicPrefix() + "bench-pass-through-out")) {
                    pass.start();
                    long t1 = System.nanoTime();
                    produce2Ms = produce(producer, topic, mix, events);
                    Waits.until("pass-through caught up", Duration.ofSeconds(60 + events / 2_000),
                            () -> pass.processed() >= events || pass.failure() != null);
                    if (pass.failure() != null) {
                        throw new IllegalStateException("pass-through failed", pass.failure());
                    }
                    passMs = (System.nanoTime() - t1) / 1e6;
                }
                p.enforcement().streams().resume();
                progress.accept(String.format("pass-through: %,d events in %.0f ms", events, passMs));
                double ours = events / cordonMs * 1000;
                double base = events / passMs * 1000;
                rb.add(new Figure("session events/s through enforcement (exactly_once_v2)", ours, "events/s", base,
                        "transactional consume-produce pass-through", ours / base, "", "")
                        .withTarget(">= 0.5 x pass-through", ours / base >= 0.5));
                rb.add(Figure.plain("session ingestion (events/s through enforcement)", ours, "events/s")
                        .withTarget(">= 150,000 events/s", ours >= 150_000));
                rb.add(Figure.plain("producer alone (sending while enforcement ran)", events / produceMs * 1000, "events/s"));
                rb.add(Figure.plain("producer alone (sending while pass-through ran)", events / produce2Ms * 1000, "events/s"));
                rb.note("both timed from the first send to the last event consumed and committed (enforcement: its consumer group on "
                        + "every input, repartition topics included, at the end offsets; pass-through: last transaction committed)");
                rb.note("pass-through: read_committed consumer, transactional producer (batch.size 256 KiB, linger.ms 5), offsets "
                        + "sent in the transaction, commit every 100 ms, raw bytes to a 12-partition topic; enforcement paused meanwhile");
                rb.note("enforcement settings: " + (enforcementProps.isEmpty() ? "Cordon defaults" : enforcementProps.toString()));
            }
            return rb.build();
        }
    }

    /** A plain transactional consume→produce loop, raw bytes, same partition out as in. */
    static final class PassThrough implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final KafkaProducer<byte[], byte[]> producer;
        private final String in;
        private final String out;
        private final AtomicLong processed = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;
        private volatile Throwable failure;

        PassThrough(BenchPipeline p, String in, String out) throws Exception {
            this.in = in;
            this.out = out;
            int parts = KafkaTools.partitions(p.admin(), in);
            KafkaTools.createTopics(p.admin(), Map.of(out, parts));
            Map<String, Object> c = new HashMap<>(p.cluster().clientConfig());
            c.put(ConsumerConfig.GROUP_ID_CONFIG, p.cluster().id(BenchCluster.Role.PASS_THROUGH));
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
            consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            Map<String, Object> pp = new HashMap<>(p.cluster().clientConfig());
            pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, p.cluster().id(BenchCluster.Role.PASS_THROUGH) + "-" + UUID.randomUUID());
            pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            pp.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            pp.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            producer = new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < parts; i++) {
                tps.add(new TopicPartition(in, i));
            }
            consumer.assign(tps);
            consumer.seekToEnd(tps);
            tps.forEach(consumer::position);
            producer.initTransactions();
            thread = new Thread(this::loop, "bench-pass-through");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        long processed() {
            return processed.get();
        }

        Throwable failure() {
            return failure;
        }

        private void loop() {
            try {
                long pending = 0;
                long lastCommit = System.nanoTime();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                producer.beginTransaction();
                while (running) {
                    var records = consumer.poll(Duration.ofMillis(10));
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        producer.send(new ProducerRecord<>(out, r.partition(), r.key(), r.value()));
                        offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                        pending++;
                    }
                    if (pending > 0 && System.nanoTime() - lastCommit >= 100_000_000L) {
                        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                        producer.commitTransaction();
                        processed.addAndGet(pending);
                        pending = 0;
                        offsets.clear();
                        producer.beginTransaction();
                        lastCommit = System.nanoTime();
                    }
                }
                producer.abortTransaction();
            } catch (Throwable t) {
                failure = t;
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5000);
            consumer.close();
            producer.close();
        }
    }
}
