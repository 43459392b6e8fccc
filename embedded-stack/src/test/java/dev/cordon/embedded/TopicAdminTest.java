package dev.cordon.embedded;

import dev.cordon.schemas.TopicNames;
import dev.cordon.schemas.admin.TopicAdmin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("integration")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TopicAdminTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static EmbeddedStack stack;
    private static Admin admin;

    @BeforeAll
    static void startKafkaOnly() {
        stack = EmbeddedStack.start(EmbeddedStack.Options.builder()
                .sessionPartitions(3).withRegistry(false).withPostgres(false).build());
        admin = Admin.create(stack.clientConfig());
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static String createAuditLike(Map<String, String> configs) {
        String name = "audit-candidate-" + UUID.randomUUID();
        TopicAdmin.createTopics(admin, List.of(new TopicNames.TopicSpec(name, 1, configs)), TIMEOUT);
        return name;
    }

    @Test
    void shouldAcceptTheStacksAuditLog() {
        // Given the audit log created by the stack
        // When / Then it passes the startup check
        assertThatCode(() -> TopicAdmin.checkAuditLogTopic(admin, TopicNames.AUDIT_LOG)).doesNotThrowAnyException();
    }

    @Test
    void shouldRefuseCompactedAuditLog() {
        // Given an audit-log candidate that is compacted (retention otherwise infinite)
        String name = createAuditLike(Map.of("cleanup.policy", "compact,delete", "retention.ms", "-1",
                "retention.bytes", "-1"));

        // When / Then the check refuses it and says how to fix it
        assertThatThrownBy(() -> TopicAdmin.checkAuditLogTopic(admin, name))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(name)
                .hasMessageContaining("cleanup.policy=compact,delete")
                .hasMessageContaining("kafka-configs")
                .hasMessageContaining("--add-config cleanup.policy=delete");
    }

    @Test
    void shouldRefuseAuditLogWithFiniteRetentionTime() {
        // Given an audit-log candidate that keeps entries for 7 days only
        String name = createAuditLike(Map.of("cleanup.policy", "delete", "retention.ms", "604800000",
                "retention.bytes", "-1"));

        // When / Then
        assertThatThrownBy(() -> TopicAdmin.checkAuditLogTopic(admin, name))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("retention.ms=604800000")
                .hasMessageContaining("--add-config retention.ms=-1")
                .hasMessageNotContaining("cleanup.policy=");
    }

    @Test
    void shouldRefuseAuditLogWithFiniteRetentionSize() {
        // Given an audit-log candidate bounded to 1 GB per partition
        String name = createAuditLike(Map.of("cleanup.policy", "delete", "retention.ms", "-1",
                "retention.bytes", "1073741824"));

        // When / Then
        assertThatThrownBy(() -> TopicAdmin.checkAuditLogTopic(admin, name))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("retention.bytes=1073741824")
                .hasMessageContaining("--add-config retention.bytes=-1");
    }

    @Test
    void shouldRefuseMissingAuditLog() {
        // Given a name no topic has
        String name = "no-such-audit-log-" + UUID.randomUUID();

        // When / Then
        assertThatThrownBy(() -> TopicAdmin.checkAuditLogTopic(admin, name))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(name)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("retention.ms=-1");
    }

    @Test
    void shouldRefuseExistingTopicWithAnotherPartitionCount() {
        // Given session-events exists with 3 partitions
        List<TopicNames.TopicSpec> wanted = TopicNames.specs("", 5);

        // When the specs ask for 5 / Then creation refuses, naming topic, expected and actual counts
        assertThatThrownBy(() -> TopicAdmin.createTopics(admin, wanted, TIMEOUT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'" + TopicNames.SESSION_EVENTS + "'")
                .hasMessageContaining("exists with 3 partitions but 5 are expected");
    }

    @Test
    void shouldAcceptExistingTopicsWithMatchingPartitionCounts() {
        // Given the stack's topics exist
        // When the same specs are created again / Then nothing fails
        assertThatCode(() -> TopicAdmin.createTopics(admin, TopicNames.specs("", 3), TIMEOUT))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldReturnOnlyWhenEveryPartitionAnswersListOffsets() throws Exception {
        // Given a new topic with many partitions
        String name = "ready-" + UUID.randomUUID();

        // When it is created
        TopicAdmin.createTopics(admin, List.of(new TopicNames.TopicSpec(name, 16, Map.of())), TIMEOUT);

        // Then every partition answers at once, without retries
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < 16; p++) {
            request.put(new TopicPartition(name, p), OffsetSpec.latest());
        }
        assertThat(admin.listOffsets(request).all().get(5, TimeUnit.SECONDS)).hasSize(16)
                .allSatisfy((tp, info) -> assertThat(info.offset()).isZero());
    }

    @Test
    void shouldNameEveryMissingTopic() {
        // Given one existing and two missing topics
        List<String> names = List.of(TopicNames.AUDIT_LOG, "missing-a", "missing-b");

        // When / Then
        assertThatThrownBy(() -> TopicAdmin.checkTopicsExist(admin, names))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[missing-a, missing-b]")
                .hasMessageNotContaining(TopicNames.AUDIT_LOG + ",");
        assertThatCode(() -> TopicAdmin.checkTopicsExist(admin, List.of(TopicNames.AUDIT_LOG, TopicNames.SESSION_EVENTS)))
                .doesNotThrowAnyException();
    }
}
