package dev.cordon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cordon.testkit.internal.ContainersCluster;
import dev.cordon.testkit.internal.DockerSupport;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The container path itself (whatever backend the run chose): starts {@link ContainersCluster} and checks that it
 * is a real Confluent Schema Registry on a Kafka with Cordon's topics. Skipped, with Testcontainers' reason, on a
 * machine without Docker.
 */
@Tag("integration")
class ContainersBackendTest {

    @Test
    void shouldStartKafkaConfluentSchemaRegistryAndPostgresContainersWhenDockerIsAvailable() throws Exception {
        DockerSupport.Status docker = DockerSupport.status();
        assumeTrue(docker.available(), () -> "Skipped: " + docker.reason());

        try (ContainersCluster cluster = ContainersCluster.start(CordonClusterExtension.SESSION_PARTITIONS, "forced by test")) {
            assertThat(cluster.backend()).isEqualTo(CordonCluster.Backend.CONTAINERS);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get()).contains("revocation-commands", "audit-log");
            }
            var client = dev.cordon.schemas.registry.RestSchemaRegistryClient.forUrls(cluster.schemaRegistryUrl());
            assertThat(client.getAllSubjects()).isInstanceOf(List.class);
            assertThat(client.getGlobalCompatibility()).isEqualTo(dev.cordon.schemas.registry.CompatibilityLevel.BACKWARD);
        }
    }
}
