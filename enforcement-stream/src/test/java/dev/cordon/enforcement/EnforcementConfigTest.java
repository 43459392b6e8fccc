package dev.cordon.enforcement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class EnforcementConfigTest {
    private static Map<String, Object> minimal() {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", "127.0.0.1:9092");
        m.put("schema.registry.url", "http://127.0.0.1:8081");
        return m;
    }

    @Test
    void shouldApplySafeStreamsDefaults() {
        Properties p = new EnforcementConfig(minimal()).streamsProperties();

        assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo("exactly_once_v2");
        assertThat(p.get(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG)).isEqualTo(true);
        assertThat(p.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("cordon-enforcement");
        assertThat(p.get(StreamsConfig.POLL_MS_CONFIG)).isEqualTo(10L);
        assertThat(p.get("producer.batch.size")).isEqualTo(262144);
        assertThat(p.get("producer.acks")).isEqualTo("all");
        assertThat(p.get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)).isNotNull();
    }

    @Test
    void shouldForwardPrefixedStreamsAndSerdeKeys() {
        Map<String, Object> m = minimal();
        m.put("streams.producer.linger.ms", "20");
        m.put("serde.basic.auth.user.info", "u:p");
        m.put("session.partitions", "4");
        EnforcementConfig config = new EnforcementConfig(m);

        assertThat(config.streamsProperties().get("producer.linger.ms")).isEqualTo("20");
        assertThat(config.serdeConfig()).containsEntry("basic.auth.user.info", "u:p")
                .containsEntry("schema.registry.url", "http://127.0.0.1:8081");
        assertThat(config.settings().sessionPartitions()).isEqualTo(4);
    }

    @Test
    void shouldRefuseAnyProcessingGuaranteeButExactlyOnceV2() {
        Map<String, Object> direct = minimal();
        direct.put("processing.guarantee", "at_least_once");
        Map<String, Object> forwarded = minimal();
        forwarded.put("streams.processing.guarantee", "at_least_once");

        assertThatThrownBy(() -> new EnforcementConfig(direct)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("processing.guarantee").hasMessageContaining("exactly_once_v2");
        assertThatThrownBy(() -> new EnforcementConfig(forwarded)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("streams.processing.guarantee");
    }

    @Test
    void shouldRefuseMissingServersAndBadRanges() {
        Map<String, Object> bad = minimal();
        bad.put("impact.sample.size", "101");

        assertThatThrownBy(() -> new EnforcementConfig(Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("bootstrap.servers");
        assertThatThrownBy(() -> new EnforcementConfig(bad)).isInstanceOf(ConfigException.class).hasMessageContaining("impact.sample.size");
    }
}
