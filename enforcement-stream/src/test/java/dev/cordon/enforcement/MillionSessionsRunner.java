package dev.cordon.enforcement;

import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.enforcement.internal.BoundedRocksDbConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Not a unit test: measures heap and RocksDB disk with N active sessions (default 1,000,000) on one session task,
 * with Cordon's bounded RocksDB config (64 MiB block cache, 16 MiB memtables). Run:
 * {@code java -Xmx512m -cp <test classpath> dev.cordon.enforcement.MillionSessionsRunner [N]}.
 */
public final class MillionSessionsRunner {
    private MillionSessionsRunner() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path state = Files.createTempDirectory("million");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "million");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class);
        props.put(BoundedRocksDbConfig.BLOCK_CACHE_BYTES_CONFIG, 64L * 1024 * 1024);
        props.put(BoundedRocksDbConfig.WRITE_BUFFER_BYTES_CONFIG, 16L * 1024 * 1024);
        var topics = Harness.catalogue("");
        Instant t0 = Instant.parse("2026-11-26T12:00:00Z");
        long started = System.nanoTime();
        try (TopologyTestDriver driver = new TopologyTestDriver(
                EnforcementTopology.build(topics, EnforcementSettings.defaults().withSessionPartitions(1)), props, t0)) {
            var in = driver.createInputTopic(topics.sessionEvents().name(), Serdes.String().serializer(),
                    topics.sessionEvents().valueSerde().serializer());
            var audit = driver.createOutputTopic(topics.auditLog().name(), Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
            for (int i = 0; i < n; i++) {
                String id = "s-" + i;
                in.pipeInput(new TestRecord<>(id, SessionEvent.newBuilder().setSessionId(id).setType(SessionEventType.STARTED)
                        .setResource("fable-5").setGatewayId("gw-1").setOccurredAt(t0)
                        .setSubject(Harness.subject("u-" + i, List.of(i % 2 == 0 ? "DE" : "US"), List.of("customer"))).build(), t0));
                if (i % 10_000 == 0) {
                    // TopologyTestDriver keeps every produced record (audit, changelogs, repartition) in memory until
                    // read: drop them, or the harness itself fills the heap
                    for (String t : driver.producedTopicNames()) {
                        driver.createOutputTopic(t, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer()).readRecordsToList();
                    }
                }
                if (i % 200_000 == 0) {
                    System.out.printf("%,d sessions after %d s%n", i, Duration.ofNanos(System.nanoTime() - started).toSeconds());
                }
            }
            audit.readRecordsToList();
            driver.advanceWallClockTime(Duration.ofSeconds(1)); // a commit: flushes memtables
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(200);
            }
            var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            long disk;
            try (var files = Files.walk(state)) {
                disk = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            long rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElse(-1L);
            System.out.printf("sessions=%,d time=%ds heapUsedAfterGc=%,d bytes heapMax=%,d rocksdbDisk=%,d bytes processRss=%,d bytes%n",
                    n, Duration.ofNanos(System.nanoTime() - started).toSeconds(), heap.getUsed(), heap.getMax(), disk, rss);
            Map<String, Object> ignored = Map.of();
        }
    }
}
