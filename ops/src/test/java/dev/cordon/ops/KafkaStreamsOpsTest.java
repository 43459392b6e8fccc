package dev.cordon.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.Test;

class KafkaStreamsOpsTest {

    @Test
    void shouldBeLiveButNotReadyBeforeRunningAndDeadOnceClosed() {
        // Given a Kafka Streams client that is created but not started (no broker needed)
        StreamsBuilder b = new StreamsBuilder();
        b.stream("in", Consumed.with(Serdes.String(), Serdes.String()));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "ops-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
        p.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/ops-test-" + System.nanoTime());
        KafkaStreams streams = new KafkaStreams(b.build(), p);
        try (OpsMetrics metrics = OpsMetrics.create("enforcement-stream")) {
            KafkaStreamsOps.bind(metrics, streams);
            HealthCheck live = KafkaStreamsOps.liveness("streams", streams);
            HealthCheck ready = KafkaStreamsOps.readiness("streams", streams, 1);

            // Then CREATED is live, not ready, and the gauges say so
            assertThat(live.evaluate().up()).isTrue();
            assertThat(ready.evaluate()).satisfies(r -> {
                assertThat(r.up()).isFalse();
                assertThat(r.detail()).contains("CREATED");
            });
            assertThat(metrics.scrape()).contains("cordon_streams_running{service=\"enforcement-stream\"} 0.0")
                    .contains("cordon_streams_alive_threads{service=\"enforcement-stream\"} 1.0"); // its thread is CREATED

            // When closed
            streams.close(Duration.ofSeconds(5));

            // Then it is no longer live
            assertThat(live.evaluate().up()).isFalse();
            assertThat(live.evaluate().detail()).contains("NOT_RUNNING");
        } finally {
            streams.close(Duration.ofSeconds(5));
        }
    }
}
