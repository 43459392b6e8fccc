package dev.cordon.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cordon.embedded.EmbeddedStack;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Readiness and liveness turn red when a stream thread dies and the client cannot go on (issue 7 §4). */
@Tag("integration")
@Timeout(120)
class StreamThreadDeathTest {

    @Test
    void shouldTurnReadinessAndLivenessRedWhenAStreamThreadDies() throws Exception {
        try (EmbeddedStack stack = EmbeddedStack.start(EmbeddedStack.Options.builder().withPostgres(false).withRegistry(false)
                .sessionPartitions(1).build())) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("poison-in", 1, (short) 1))).all().get();
            }
            // Given a running Streams client whose processing fails on a poison record, and whose handler gives up
            StreamsBuilder b = new StreamsBuilder();
            b.stream("poison-in", Consumed.with(Serdes.String(), Serdes.String())).foreach((k, v) -> {
                if ("poison".equals(v)) {
                    throw new IllegalStateException("poison record");
                }
            });
            Properties p = new Properties();
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, "ops-thread-death");
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
            p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("ops-death").toString());
            p.put("consumer.auto.offset.reset", "earliest");
            try (OpsMetrics metrics = OpsMetrics.create("enforcement-stream");
                 KafkaStreams streams = new KafkaStreams(b.build(), p)) {
                streams.setUncaughtExceptionHandler(e -> StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
                KafkaStreamsOps.bind(metrics, streams);
                HealthCheck live = KafkaStreamsOps.liveness("kafka-streams", streams);
                HealthCheck ready = KafkaStreamsOps.readiness("kafka-streams", streams, 1);
                streams.start();
                await("ready").atMost(Duration.ofSeconds(60)).until(() -> ready.evaluate().up());
                assertThat(live.evaluate().up()).isTrue();

                // When the poison record kills the stream thread
                Map<String, Object> props = new HashMap<>(Map.of("bootstrap.servers", stack.bootstrapServers()));
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                    producer.send(new ProducerRecord<>("poison-in", "k", "poison")).get();
                }

                // Then readiness and liveness turn red, naming the state
                await("not ready").atMost(Duration.ofSeconds(60)).until(() -> !ready.evaluate().up());
                await("not live").atMost(Duration.ofSeconds(60)).until(() -> !live.evaluate().up());
                assertThat(live.evaluate().detail()).containsAnyOf("ERROR", "PENDING_ERROR", "NOT_RUNNING", "PENDING_SHUTDOWN");
                assertThat(metrics.scrape()).contains("cordon_streams_running{service=\"enforcement-stream\"} 0.0");
            }
        }
    }
}
