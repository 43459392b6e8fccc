package dev.cordon.cli;

import dev.cordon.embedded.EmbeddedStack;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cordon stack}: only the embedded infrastructure, until stopped (Ctrl-C). */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = "Start the embedded Kafka broker, schema registry and PostgreSQL on 127.0.0.1, print their addresses, run until stopped.")
public final class StackCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "Keep state here across restarts (default: a temporary directory, deleted on exit).")
    Path dataDir;

    @Option(names = "--session-partitions", defaultValue = "12", description = "Partitions of session-events (default ${DEFAULT-VALUE}).")
    int sessionPartitions;

    @Option(names = "--topic-prefix", defaultValue = "", description = "Prefix of every topic name.")
    String topicPrefix;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EmbeddedStack stack = EmbeddedStack.start(EmbeddedStack.Options.builder()
                .dataDir(dataDir).sessionPartitions(sessionPartitions).topicPrefix(topicPrefix).build());
        try {
            var out = spec.commandLine().getOut();
            out.println("bootstrap.servers=" + stack.bootstrapServers());
            out.println("schema.registry.url=" + stack.schemaRegistryUrl());
            out.println("jdbc.url=" + stack.jdbcUrl());
            out.println("jdbc.user=" + stack.jdbcUser());
            out.println("data.dir=" + stack.dataDir());
            out.flush();
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        ServiceCommands.runUntilShutdown(stack);
        return 0;
    }
}
