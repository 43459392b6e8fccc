package dev.cordon.bench.internal;

import dev.cordon.bench.BenchCluster;
import dev.cordon.embedded.EmbeddedStack;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A {@link BenchCluster} on a fresh {@link EmbeddedStack} in this JVM: topic prefix {@code ""}, Cordon's default ids,
 * the stack's data directory and (when started with it) its PostgreSQL as superuser. What every benchmark ran on before
 * external clusters were supported; {@link #close()} stops the stack and deletes its temporary directory.
 */
public final class EmbeddedCluster implements BenchCluster {
    /** The service role the audit sink writes as on the embedded database. */
    static final String AUDIT_SERVICE_ROLE = "cordon_audit_writer";

    private final EmbeddedStack stack;
    private final String auditServicePassword = "bench-" + System.nanoTime();

    private EmbeddedCluster(EmbeddedStack stack) {
        this.stack = stack;
    }

    /**
     * Starts a stack with {@code sessionPartitions} session partitions (its topics created), with PostgreSQL when
     * {@code withPostgres}.
     *
     * @throws IllegalStateException when a component does not start
     */
    public static EmbeddedCluster start(int sessionPartitions, boolean withPostgres) {
        return new EmbeddedCluster(EmbeddedStack.start(EmbeddedStack.Options.builder().sessionPartitions(sessionPartitions)
                .withPostgres(withPostgres).build()));
    }

    @Override
    public String describe() {
        return "embedded stack in this JVM (" + stack.bootstrapServers() + ")";
    }

    @Override
    public boolean embedded() {
        return true;
    }

    @Override
    public Map<String, Object> clientConfig() {
        return stack.clientConfig();
    }

    @Override
    public Map<String, String> clientSettings() {
        return Map.of();
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
    public String topicPrefix() {
        return stack.topicPrefix();
    }

    @Override
    public int sessionPartitions() {
        return stack.sessionPartitions();
    }

    @Override
    public Path dataDir() {
        return stack.dataDir();
    }

    @Override
    public String id(Role role) {
        return role.embeddedId();
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
    public String auditServiceRole() {
        return AUDIT_SERVICE_ROLE;
    }

    @Override
    public String auditServicePassword() {
        return auditServicePassword;
    }

    @Override
    public DataSource dataSource() {
        return stack.postgresDataSource();
    }

    @Override
    public void close() {
        stack.close();
    }
}
