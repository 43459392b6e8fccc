package dev.cordon.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link CordonCluster}'s default methods that need no server. */
class CordonClusterTest {

    private static CordonCluster withJdbcUrl(String url) {
        return new CordonCluster() {
            @Override public Backend backend() { return Backend.EMBEDDED; }
            @Override public String backendReason() { return "test"; }
            @Override public String bootstrapServers() { return "127.0.0.1:9092"; }
            @Override public String schemaRegistryUrl() { return "http://127.0.0.1:8081"; }
            @Override public String jdbcUrl() { return url; }
            @Override public String jdbcUser() { return "owner"; }
            @Override public String jdbcPassword() { return "pw"; }
            @Override public int sessionPartitions() { return 4; }
        };
    }

    @Test
    void shouldReplaceOnlyTheDatabaseOfTheEmbeddedStacksUrl() {
        assertThat(withJdbcUrl("jdbc:postgresql://127.0.0.1:5432/postgres").jdbcUrl("audit_1"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:5432/audit_1");
    }

    @Test
    void shouldKeepTheQueryParametersOfATestcontainersUrl() {
        assertThat(withJdbcUrl("jdbc:postgresql://localhost:32768/cordon?loggerLevel=OFF").jdbcUrl("caep_2"))
                .isEqualTo("jdbc:postgresql://localhost:32768/caep_2?loggerLevel=OFF");
    }
}
