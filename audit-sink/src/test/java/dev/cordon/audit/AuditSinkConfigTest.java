package dev.cordon.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class AuditSinkConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> m = new HashMap<>();
        m.put(AuditSinkConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
        m.put(AuditSinkConfig.SCHEMA_REGISTRY_URL_CONFIG, "http://127.0.0.1:8081");
        m.put(AuditSinkConfig.JDBC_URL_CONFIG, "jdbc:postgresql://127.0.0.1:5432/cordon");
        m.put(AuditSinkConfig.JDBC_USER_CONFIG, "cordon_audit");
        m.put(AuditSinkConfig.JDBC_PASSWORD_CONFIG, "secret");
        return m;
    }

    @Test
    void shouldApplyTheDefaults() {
        // When
        AuditSinkConfig config = new AuditSinkConfig(minimal());

        // Then
        assertThat(config.getString(AuditSinkConfig.GROUP_ID_CONFIG)).isEqualTo("cordon-audit-sink");
        assertThat(config.topicPrefix()).isEmpty();
        assertThat(config.jdbcOwnerUser()).isNull();
        assertThat(config.jdbcPassword()).isEqualTo("secret");
        assertThat(config.serdeConfig()).containsEntry("schema.registry.url", "http://127.0.0.1:8081");
    }

    @Test
    void shouldNameAMissingRequiredKey() {
        Map<String, Object> m = minimal();
        m.remove(AuditSinkConfig.JDBC_URL_CONFIG);
        assertThatThrownBy(() -> new AuditSinkConfig(m)).isInstanceOf(ConfigException.class).hasMessageContaining("jdbc.url");
    }

    @Test
    void shouldRefuseAJdbcUrlThatIsNotPostgres() {
        Map<String, Object> m = minimal();
        m.put(AuditSinkConfig.JDBC_URL_CONFIG, "jdbc:mysql://x/y");
        assertThatThrownBy(() -> new AuditSinkConfig(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("jdbc.url").hasMessageContaining("jdbc:postgresql:");
    }

    @Test
    void shouldRefuseABatchSizeOutOfRange() {
        Map<String, Object> m = minimal();
        m.put(AuditSinkConfig.BATCH_MAX_RECORDS_CONFIG, 0);
        assertThatThrownBy(() -> new AuditSinkConfig(m)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("batch.max.records");
    }
}
