package dev.cordon.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class IngestConfigTest {
    private static Map<String, Object> base() {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", "127.0.0.1:9092");
        props.put("schema.registry.url", "http://127.0.0.1:8081");
        return props;
    }

    @Test
    void shouldRefuseToRunWithoutTokensUnlessAuthIsExplicitlyDisabled() {
        assertThatThrownBy(() -> new IngestConfig(base())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ingest.auth.tokens").hasMessageContaining("ingest.auth.disabled=true");
        Map<String, Object> open = base();
        open.put(IngestConfig.AUTH_DISABLED_CONFIG, "true");
        assertThat(new IngestConfig(open).getBoolean(IngestConfig.AUTH_DISABLED_CONFIG)).isTrue();
    }

    @Test
    void shouldDefaultToLoopbackAndTheSharedTransactionalId() {
        Map<String, Object> props = base();
        props.put(IngestConfig.AUTH_TOKENS_CONFIG, Tokens.entry("ops", Tokens.generate()));
        IngestConfig config = new IngestConfig(props);
        assertThat(config.getString(IngestConfig.HOST_CONFIG)).isEqualTo("127.0.0.1");
        assertThat(config.getInt(IngestConfig.PORT_CONFIG)).isEqualTo(8080);
        assertThat(config.getString(IngestConfig.TRANSACTIONAL_ID_CONFIG)).isEqualTo("cordon-directive-ingest");
        assertThat(config.getString(IngestConfig.TOPIC_PREFIX_CONFIG)).isEmpty();
    }

    @Test
    void shouldRefuseAMalformedTokenEntryWithoutEchoingIt() {
        Map<String, Object> props = base();
        props.put(IngestConfig.AUTH_TOKENS_CONFIG, "ops:plain-secret-token");
        assertThatThrownBy(() -> new IngestConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("entry 1").hasMessageNotContaining("plain-secret-token");
    }

    @Test
    void shouldPassKafkaPrefixedKeysToTheClients() {
        Map<String, Object> props = base();
        props.put(IngestConfig.AUTH_DISABLED_CONFIG, true);
        props.put("kafka.security.protocol", "SSL");
        assertThat(new IngestConfig(props).kafkaClientConfig())
                .containsEntry("security.protocol", "SSL").containsEntry("bootstrap.servers", "127.0.0.1:9092");
    }

    @Test
    void shouldRefuseAnOutOfRangePort() {
        Map<String, Object> props = base();
        props.put(IngestConfig.AUTH_DISABLED_CONFIG, true);
        props.put(IngestConfig.PORT_CONFIG, 70000);
        assertThatThrownBy(() -> new IngestConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ingest.port");
    }
}
