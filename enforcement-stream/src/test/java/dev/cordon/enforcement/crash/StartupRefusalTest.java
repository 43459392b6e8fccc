package dev.cordon.enforcement.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cordon.enforcement.EnforcementApp;
import dev.cordon.enforcement.EnforcementConfig;
import dev.cordon.enforcement.internal.StateMarker;
import dev.cordon.schemas.TopicNames;
import dev.cordon.testkit.CordonCluster;
import dev.cordon.testkit.WithCordonCluster;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 3 §4: the service refuses to run rather than run unsafely — on lost internal state, without exactly-once, or
 * with an audit-log topic that could lose entries — and says what to fix. The broker is the shared cluster of
 * {@link WithCordonCluster} (it needs nothing but a broker that allows deleting topics and altering topic configs, as
 * every backend does); each test uses its own topic prefix and application id.
 */
@WithCordonCluster
class StartupRefusalTest {
    private static final int PARTITIONS = 2;
    private static CordonCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void connect(CordonCluster shared) {
        cluster = shared;
        admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()));
    }

    @AfterAll
    static void disconnect() {
        if (admin != null) {
            admin.close();
        }
    }

    /** @param appIdPrefix made unique here (the cluster outlives this class: ids must not repeat across runs) */
    private static Map<String, Object> freshDeployment(String appIdPrefix) throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String prefix = "refusal-" + unique + ".";
        cluster.createTopics(prefix, PARTITIONS);
        Map<String, Object> c = new HashMap<>(cluster.clientConfig());
        c.put(EnforcementConfig.TOPIC_PREFIX_CONFIG, prefix);
        c.put(EnforcementConfig.SESSION_PARTITIONS_CONFIG, PARTITIONS);
        c.put(EnforcementConfig.SIGNATURES_REQUIRED_CONFIG, false); // these tests are about topics and guarantees, not signatures
        c.put(EnforcementConfig.APPLICATION_ID_CONFIG, appIdPrefix + "-" + unique);
        c.put(EnforcementConfig.STATE_DIR_CONFIG, Files.createTempDirectory("refusal").toString());
        return c;
    }

    @Test
    @Timeout(120)
    void shouldRefuseToStartWhenAChangelogTopicOfAnEarlierRunIsMissing() throws Exception {
        // Given a deployment that ran once (first start: no internal topics yet, which is fine)
        Map<String, Object> cfg = freshDeployment("refuse-lost");
        String appId = (String) cfg.get(EnforcementConfig.APPLICATION_ID_CONFIG);
        try (EnforcementApp app = EnforcementApp.start(new EnforcementConfig(cfg))) {
            await("running").atMost(Duration.ofSeconds(60)).until(app::isRunning);
            await("state marker recorded").atMost(Duration.ofSeconds(30)).until(() -> markerRecords(appId) > 0);
            assertThat(app.health().healthy()).isTrue();
            assertThat(app.health().threadsReplaced()).isZero();
        }

        // When its sessions changelog disappears
        String changelog = appId + "-sessions-store-changelog";
        admin.deleteTopics(List.of(changelog)).all().get();
        await("changelog deleted").atMost(Duration.ofSeconds(30)).until(() -> !admin.listTopics().names().get().contains(changelog));

        // Then the next start is refused, naming the topic and what to do, instead of running on empty state
        assertThatThrownBy(() -> EnforcementApp.start(new EnforcementConfig(cfg)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(changelog)
                .hasMessageContaining(StateMarker.markerTopic(appId))
                .hasMessageContaining("Restore the topics");
    }

    @Test
    void shouldRefuseAnyProcessingGuaranteeButExactlyOnceV2() throws Exception {
        Map<String, Object> cfg = freshDeployment("refuse-eos");
        cfg.put("processing.guarantee", "at_least_once");

        assertThatThrownBy(() -> EnforcementApp.start(new EnforcementConfig(cfg)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("processing.guarantee").hasMessageContaining("exactly_once_v2");
    }

    @Test
    void shouldRefuseACompactedAuditLog() throws Exception {
        Map<String, Object> cfg = freshDeployment("refuse-compacted");
        alterAuditLog(cfg, "cleanup.policy", "compact");

        assertThatThrownBy(() -> EnforcementApp.start(new EnforcementConfig(cfg)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cleanup.policy=compact").hasMessageContaining("--add-config cleanup.policy=delete");
    }

    @Test
    void shouldRefuseAnAuditLogWithFiniteRetention() throws Exception {
        Map<String, Object> cfg = freshDeployment("refuse-retention");
        alterAuditLog(cfg, "retention.ms", "604800000");

        assertThatThrownBy(() -> EnforcementApp.start(new EnforcementConfig(cfg)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("retention.ms=604800000").hasMessageContaining("retention.ms=-1");
    }

    private static void alterAuditLog(Map<String, Object> cfg, String key, String value) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, cfg.get(EnforcementConfig.TOPIC_PREFIX_CONFIG) + TopicNames.AUDIT_LOG);
        admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET))))
                .all().get();
        await("config applied").atMost(Duration.ofSeconds(10)).until(() ->
                value.equals(admin.describeConfigs(List.of(r)).all().get().get(r).get(key).value()));
    }

    private static long markerRecords(String appId) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", cluster.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(StateMarker.markerTopic(appId), 0);
            return c.endOffsets(List.of(tp)).get(tp);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    @Test
    void shouldNameEveryChangelogAndRepartitionTopicOfTheTopology() {
        var internal = StateMarker.internalTopics("app", dev.cordon.enforcement.EnforcementTopology.build(
                dev.cordon.schemas.TopicCatalogue.create("", Map.of("schema.registry.url", cluster.schemaRegistryUrl())),
                dev.cordon.enforcement.EnforcementSettings.defaults()).describe(),
                java.util.Set.of("directive-changes", "session-events", "revocation-commands", "directive-impacts", "audit-log", "dead-letters"));
        assertThat(internal).contains("app-sessions-store-changelog", "app-directives-store-changelog",
                "app-session-expiry-index-store-changelog", "app-directive-broadcast-repartition", "app-session-events-by-id-repartition")
                .allMatch(t -> t.startsWith("app-"));
    }
}
