package dev.cordon.testkit.internal;

import dev.cordon.embedded.EmbeddedStack;
import dev.cordon.testkit.CordonCluster;

/** {@link CordonCluster} on {@link EmbeddedStack}. */
public final class EmbeddedCluster implements CordonCluster, AutoCloseable {
    private final EmbeddedStack stack;
    private final String reason;

    private EmbeddedCluster(EmbeddedStack stack, String reason) {
        this.stack = stack;
        this.reason = reason;
    }

    /** Starts an embedded stack with every topic created. */
    public static EmbeddedCluster start(int sessionPartitions, String reason) {
        return new EmbeddedCluster(EmbeddedStack.start(EmbeddedStack.Options.builder().sessionPartitions(sessionPartitions).build()),
                reason);
    }

    @Override
    public Backend backend() {
        return Backend.EMBEDDED;
    }

    @Override
    public String backendReason() {
        return reason;
    }

    @Override
    public String bootstrapServers() {
        return stack.bootstrapServers();
    }

    @Override
    public String schemaRegistryUrl() {
        return stack.schemaRegistryUrl();
    }

    @Override
    public String jdbcUrl() {
        return stack.jdbcUrl();
    }

    @Override
    public String jdbcUser() {
        return stack.jdbcUser();
    }

    @Override
    public String jdbcPassword() {
        return stack.jdbcPassword();
    }

    @Override
    public int sessionPartitions() {
        return stack.sessionPartitions();
    }

    @Override
    public void close() {
        stack.close();
    }
}
