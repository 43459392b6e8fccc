package dev.cordon.enforcement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cordon.schemas.TopicCatalogue;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;

/** A registry outage must never turn good records into dead letters (they would escape enforcement). */
class RegistryOutageTest {

    @Test
    void shouldFailTheTaskInsteadOfDeadLetteringWhenTheRegistryIsUnreachable() throws Exception {
        // Given a topology whose serde points at a registry nobody answers for
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        TopicCatalogue topics = TopicCatalogue.create("", Map.of("schema.registry.url", "http://127.0.0.1:" + port));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "cordon-outage-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("outage").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        try (TopologyTestDriver driver = new TopologyTestDriver(
                EnforcementTopology.build(topics, EnforcementSettings.defaults().withSessionPartitions(1)), props,
                Instant.parse("2026-11-26T12:00:00Z"))) {
            var in = driver.createInputTopic(topics.sessionEvents().name(), Serdes.ByteArray().serializer(),
                    Serdes.ByteArray().serializer());
            var deadLetters = driver.createOutputTopic(topics.deadLetters().name(), Serdes.ByteArray().deserializer(),
                    Serdes.ByteArray().deserializer());

            // When a well-framed record arrives (its writer schema would have to be fetched)
            // Then the task fails (to be retried from the last commit) and nothing is dead-lettered
            assertThatThrownBy(() -> in.pipeInput("s1".getBytes(), new byte[] {0, 0, 0, 0, 1, 2, 0}))
                    .isInstanceOf(StreamsException.class);
            assertThat(deadLetters.isEmpty()).isTrue();
        }
    }
}
