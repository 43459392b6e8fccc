package dev.cordon.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.schemas.TopicCatalogue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Snapshot of {@code topology.describe()}: renaming a node, store or internal topic changes changelog and
 * repartition topic names (an incompatible upgrade), so it must be a deliberate change of the snapshot
 * ({@code src/test/resources/topology-description.txt}; the actual text is written to {@code target/}).
 */
class TopologyDescriptionTest {
    @Test
    void shouldKeepEveryNodeStoreAndInternalTopicName() throws IOException {
        // Given the topology with default settings and no topic prefix
        TopicCatalogue topics = Harness.catalogue("");
        String actual = EnforcementTopology.build(topics, EnforcementSettings.defaults()).describe().toString().trim();
        Files.writeString(Path.of("target", "topology-description.actual.txt"), actual + "\n");

        // Then it matches the snapshot
        String expected;
        try (InputStream in = getClass().getResourceAsStream("/topology-description.txt")) {
            assertThat(in).as("snapshot resource /topology-description.txt").isNotNull();
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void shouldHaveThreeSubTopologiesWithTheSharedStoresInTheSessionOne() {
        TopicCatalogue topics = Harness.catalogue("");
        var description = EnforcementTopology.build(topics, EnforcementSettings.defaults()).describe();

        // control, intake (decode + re-key by sessionId), session
        assertThat(description.subtopologies()).hasSize(3);
        assertThat(description.subtopologies()).anySatisfy(s -> assertThat(s.nodes()).anySatisfy(n ->
                assertThat(n.name()).isEqualTo("match-sessions")).anySatisfy(n -> assertThat(n.name()).isEqualTo("apply-directives")));
        assertThat(description.globalStores()).isEmpty();
    }
}
