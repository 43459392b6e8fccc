package dev.cordon.cli;

import dev.cordon.schemas.TopicNames;
import dev.cordon.schemas.admin.TopicAdmin;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cordon topics create}: creates Cordon's topics on a real cluster, with DESIGN.md's configs. */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Create and check Cordon's topics on a cluster.",
        subcommands = {TopicsCommand.Create.class})
public final class TopicsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Creates missing topics and waits until every partition answers. */
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create missing topics (never relies on auto-create).")
    public static final class Create implements Callable<Integer> {
        @Mixin
        ClusterOptions cluster;
        @Option(names = "--session-partitions", defaultValue = "12", description = "Partitions of session-events (default ${DEFAULT-VALUE}).")
        int sessionPartitions;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> s = ConfigSources.resolve(cluster.config, System.getenv(), cluster.flags());
            if (s.get("bootstrap.servers") == null) {
                throw new IllegalArgumentException("--bootstrap-servers (or CORDON_BOOTSTRAP_SERVERS) is required");
            }
            String prefix = s.getOrDefault("topic.prefix", "").toString();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", s.get("bootstrap.servers"),
                    "default.api.timeout.ms", 30_000, "request.timeout.ms", 10_000))) {
                TopicAdmin.createTopics(admin, TopicNames.specs(prefix, sessionPartitions), Duration.ofSeconds(60));
            } catch (RuntimeException e) {
                throw new IllegalStateException("could not create topics on Kafka at " + s.get("bootstrap.servers"), e);
            }
            TopicNames.specs(prefix, sessionPartitions)
                    .forEach(t -> spec.commandLine().getOut().println(t.name() + " partitions=" + t.partitions() + " " + t.configs()));
            return 0;
        }
    }
}
