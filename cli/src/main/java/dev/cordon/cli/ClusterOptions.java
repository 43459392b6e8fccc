package dev.cordon.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every service command shares (picocli mixin): where the cluster is and the config file. */
public final class ClusterOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,…]", description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL", description = "Confluent-API schema registry URL.")
    String schemaRegistryUrl;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "Prefix of every Cordon topic name.")
    String topicPrefix;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file (below environment and flags in precedence).")
    Path config;

    /** @return the flags set, as config keys */
    Map<String, Object> flags() {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", bootstrapServers);
        m.put("schema.registry.url", schemaRegistryUrl);
        m.put("topic.prefix", topicPrefix);
        return m;
    }
}
