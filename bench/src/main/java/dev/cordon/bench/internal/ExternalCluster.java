package dev.cordon.bench.internal;

import dev.cordon.bench.BenchCluster;
import dev.cordon.bench.BenchTarget;
import dev.cordon.schemas.TopicNames;
import dev.cordon.schemas.admin.TopicAdmin;
import dev.cordon.schemas.registry.RestSchemaRegistryClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.utils.Utils;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BenchCluster} on an external Kafka cluster, its schema registry and (for the audit benchmark) a PostgreSQL
 * database, isolated from whatever else runs there by a random run id {@code cordon-bench-<8 hex>}:
 * <ul>
 *   <li>topics: Cordon's ({@code TopicNames.specs}) created under the prefix {@code <run id>.}, and every other topic a
 *       benchmark creates under the same prefix;</li>
 *   <li>application, group and transactional ids: {@code <run id>-<role>} ({@link BenchCluster.Role}), so the Streams
 *       applications' internal topics are {@code <run id>-enforcement-…} and {@code <run id>-peer-…};</li>
 *   <li>database: a schema {@code cordon_bench_<8 hex>} of its own ({@code currentSchema} on the JDBC URL) and a service
 *       role {@code cordon_bench_<8 hex>_writer};</li>
 *   <li>local state: a temporary directory.</li>
 * </ul>
 * {@link #close()} deletes all of them — topics and registry subjects starting with the prefix or {@code <run id>-},
 * consumer and streams groups starting with {@code <run id>-}, the schema (cascade) and the role — logs what it deleted
 * and waits until the broker no longer lists the topics. Transactional ids cannot be deleted through the Admin API; the
 * broker expires them after {@code transactional.id.expiration.ms} (7 days by default).
 */
public final class ExternalCluster implements BenchCluster {
    private static final Logger LOG = LoggerFactory.getLogger(ExternalCluster.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration GONE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REACHABLE_TIMEOUT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BenchTarget.External settings;
    private final String runId;
    private final int sessionPartitions;
    private final Path dataDir;
    private final Admin admin;
    private final Consumer<String> progress;
    private final Thread shutdownHook = new Thread(this::close, "cordon-bench-cleanup");
    private String schema;
    private String serviceRole;
    private String servicePassword;
    private boolean closed;

    private ExternalCluster(BenchTarget.External settings, String runId, int sessionPartitions, Path dataDir, Admin admin,
                            Consumer<String> progress) {
        this.settings = settings;
        this.runId = runId;
        this.sessionPartitions = sessionPartitions;
        this.dataDir = dataDir;
        this.admin = admin;
        this.progress = progress;
    }

    /**
     * Opens a run on the external cluster: a fresh run id, its topics created and ready, with {@code withDatabase} its
     * database schema created. On failure everything created so far is removed again.
     *
     * @throws IllegalStateException when {@code withDatabase} is set but the settings have no JDBC URL
     * @throws Exception             when the cluster or the database does not answer or refuses (the cause says which)
     */
    public static ExternalCluster open(BenchTarget.External settings, int sessionPartitions, boolean withDatabase,
                                       Consumer<String> progress) throws Exception {
        if (sessionPartitions < 1) {
            throw new IllegalArgumentException("sessionPartitions must be at least 1, was " + sessionPartitions);
        }
        if (withDatabase && settings.jdbcUrl() == null) {
            throw new IllegalStateException("the audit benchmark on an external cluster needs a PostgreSQL database "
                    + "(--jdbc-url, --jdbc-user and CORDON_BENCH_JDBC_PASSWORD)");
        }
        String hex = HexFormat.of().formatHex(randomBytes(4));
        String runId = "cordon-bench-" + hex;
        Map<String, Object> adminConfig = new LinkedHashMap<>(settings.clientSettings());
        adminConfig.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        Admin admin = Admin.create(adminConfig);
        Path dir;
        try {
            checkReachable(admin, settings);
            dir = Files.createTempDirectory(runId + "-");
        } catch (Exception | Error e) {
            admin.close(Duration.ofSeconds(5));
            throw e;
        }
        ExternalCluster c = new ExternalCluster(settings, runId, sessionPartitions, dir, admin, progress);
        // Ctrl-C during a run still removes what it created (without waiting for groups whose members did not leave)
        Runtime.getRuntime().addShutdownHook(c.shutdownHook);
        try {
            List<TopicNames.TopicSpec> specs = TopicNames.specs(c.topicPrefix(), sessionPartitions);
            TopicAdmin.createTopics(c.admin, specs, ADMIN_TIMEOUT);
            progress.accept(String.format("external run %s: created %d topics %s* on %s", runId, specs.size(), c.topicPrefix(),
                    settings.bootstrapServers()));
            if (withDatabase) {
                c.createSchema("cordon_bench_" + hex);
            }
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /** Fails fast, before anything is created, when the broker or the registry does not answer. */
    private static void checkReachable(Admin admin, BenchTarget.External settings) throws InterruptedException {
        try {
            admin.describeCluster().nodes().get(REACHABLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no Kafka broker answered at " + settings.bootstrapServers() + " within "
                    + REACHABLE_TIMEOUT.toSeconds() + " s (check --bootstrap-servers and the security settings of "
                    + "--client-config)", e);
        }
        Map<String, Object> registryConfig = new LinkedHashMap<>(settings.clientSettings());
        registryConfig.put("schema.registry.url", settings.schemaRegistryUrl());
        try {
            RestSchemaRegistryClient.fromConfigs(registryConfig).getAllSubjects();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the schema registry at " + BenchTarget.redact(settings.schemaRegistryUrl())
                    + " did not answer GET /subjects (check --schema-registry-url and basic.auth.* in --client-config)", e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private void createSchema(String name) throws SQLException {
        try (Connection conn = DriverManager.getConnection(settings.jdbcUrl(), settings.jdbcUser(), settings.jdbcPassword());
             Statement st = conn.createStatement()) {
            st.execute("CREATE SCHEMA " + name);
        }
        schema = name;
        serviceRole = name + "_writer";
        servicePassword = HexFormat.of().formatHex(randomBytes(24));
        progress.accept("external run " + runId + ": created database schema " + schema);
    }

    /** @return the run id, {@code cordon-bench-<8 hex>} */
    public String runId() {
        return runId;
    }

    @Override
    public String describe() {
        return "external cluster " + settings.bootstrapServers() + " (registry " + BenchTarget.redact(settings.schemaRegistryUrl())
                + "), run " + runId + ": topics " + topicPrefix() + "*, application id " + id(Role.ENFORCEMENT)
                + (schema == null ? "" : ", database schema " + schema);
    }

    @Override
    public boolean embedded() {
        return false;
    }

    @Override
    public Map<String, Object> clientConfig() {
        Map<String, Object> m = new LinkedHashMap<>(settings.clientSettings());
        m.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        m.put("schema.registry.url", settings.schemaRegistryUrl());
        return m;
    }

    @Override
    public Map<String, String> clientSettings() {
        return settings.clientSettings();
    }

    @Override
    public String bootstrapServers() {
        return settings.bootstrapServers();
    }

    @Override
    public String schemaRegistryUrl() {
        return settings.schemaRegistryUrl();
    }

    @Override
    public String topicPrefix() {
        return runId + ".";
    }

    @Override
    public int sessionPartitions() {
        return sessionPartitions;
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public String id(Role role) {
        return runId + "-" + role.suffix();
    }

    private void requireDatabase() {
        if (schema == null) {
            throw new IllegalStateException("this run has no database (opened without one)");
        }
    }

    @Override
    public String jdbcUrl() {
        requireDatabase();
        String url = settings.jdbcUrl();
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    public String jdbcUser() {
        requireDatabase();
        return settings.jdbcUser();
    }

    @Override
    public String jdbcPassword() {
        requireDatabase();
        return settings.jdbcPassword();
    }

    @Override
    public String auditServiceRole() {
        requireDatabase();
        return serviceRole;
    }

    @Override
    public String auditServicePassword() {
        requireDatabase();
        return servicePassword;
    }

    @Override
    public DataSource dataSource() {
        requireDatabase();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl());
        ds.setUser(settings.jdbcUser());
        if (settings.jdbcPassword() != null) {
            ds.setPassword(settings.jdbcPassword());
        }
        return ds;
    }

    /** @return whether {@code name} (a topic, group or subject) belongs to this run */
    private boolean ours(String name) {
        return name.startsWith(topicPrefix()) || name.startsWith(runId + "-");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!exiting()) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shutdownInProgress) {
                // the JVM is exiting; the hook will find the run closed
            }
        }
        try {
            deleteSubjects();
        } catch (RuntimeException e) {
            LOG.warn("external run {}: could not delete its registry subjects: {}", runId, e.toString());
            progress.accept("external run " + runId + ": WARNING could not delete its registry subjects: " + e);
        }
        try {
            deleteTopics();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("external run {}: could not delete its topics: {}", runId, e.toString());
            progress.accept("external run " + runId + ": WARNING could not delete its topics (" + e
                    + "); delete every topic starting with " + topicPrefix() + " or " + runId + "- by hand");
        }
        try {
            deleteGroups();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("external run {}: could not delete its groups: {}", runId, e.toString());
            progress.accept("external run " + runId + ": WARNING could not delete its consumer groups: " + e);
        }
        admin.close(Duration.ofSeconds(10));
        if (schema != null) {
            dropSchema();
        }
        try {
            Utils.delete(dataDir.toFile());
        } catch (IOException e) {
            LOG.warn("external run {}: could not delete {}: {}", runId, dataDir, e.toString());
        }
    }

    /** @return whether this is the JVM's shutdown hook (then nothing waits long) */
    private boolean exiting() {
        return Thread.currentThread() == shutdownHook;
    }

    private void deleteSubjects() {
        Map<String, Object> config = clientConfig();
        RestSchemaRegistryClient registry = RestSchemaRegistryClient.fromConfigs(config);
        List<String> subjects = registry.getAllSubjects().stream().filter(this::ours).sorted().toList();
        for (String s : subjects) {
            registry.deleteSubject(s, false);
            registry.deleteSubject(s, true);
        }
        if (!subjects.isEmpty()) {
            LOG.info("external run {}: deleted registry subjects {}", runId, subjects);
            progress.accept(String.format("external run %s: deleted %d registry subjects", runId, subjects.size()));
        }
    }

    private void deleteTopics() throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        List<String> topics = admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream()
                .filter(this::ours).sorted().toList();
        if (topics.isEmpty()) {
            return;
        }
        admin.deleteTopics(topics).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        // deletion is asynchronous on the broker: wait until the metadata no longer lists them
        long deadline = System.nanoTime() + (exiting() ? 0 : GONE_TIMEOUT.toNanos());
        List<String> left = topics;
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            left = admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream()
                    .filter(this::ours).toList();
        }
        LOG.info("external run {}: deleted topics {}", runId, topics);
        progress.accept(String.format("external run %s: deleted %d topics (%s* and %s-*)%s", runId, topics.size(), topicPrefix(),
                runId, left.isEmpty() ? "" : exiting() ? " (deletion requested while exiting; not waited for)"
                        : "; still listed after " + GONE_TIMEOUT.toSeconds() + " s: " + left));
    }

    private void deleteGroups() throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        List<GroupListing> groups = new ArrayList<>(admin.listGroups().all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        groups.removeIf(g -> !ours(g.groupId()));
        if (groups.isEmpty()) {
            return;
        }
        TreeSet<String> deleted = new TreeSet<>();
        List<String> failed = new ArrayList<>();
        long deadline = System.nanoTime() + (exiting() ? 0 : GONE_TIMEOUT.toNanos());
        for (GroupListing g : groups) {
            boolean streams = g.type().map(t -> t == GroupType.STREAMS).orElse(false);
            while (true) {
                try {
                    (streams ? admin.deleteStreamsGroups(List.of(g.groupId())).all()
                            : admin.deleteConsumerGroups(List.of(g.groupId())).all())
                            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    deleted.add(g.groupId());
                    break;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof GroupIdNotFoundException) {
                        break; // an offset-less group expired meanwhile
                    }
                    // members that did not leave (a crashed client) hold the group until their session times out
                    if (!(e.getCause() instanceof GroupNotEmptyException) || System.nanoTime() > deadline) {
                        failed.add(g.groupId() + " (" + e.getCause() + ")");
                        break;
                    }
                    Thread.sleep(500);
                }
            }
        }
        LOG.info("external run {}: deleted groups {}", runId, deleted);
        progress.accept(String.format("external run %s: deleted %d groups%s", runId, deleted.size(),
                failed.isEmpty() ? "" : "; NOT deleted (delete by hand with kafka-consumer-groups --delete): " + failed));
    }

    private void dropSchema() {
        try (Connection conn = DriverManager.getConnection(settings.jdbcUrl(), settings.jdbcUser(), settings.jdbcPassword());
             Statement st = conn.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            st.execute("DROP ROLE IF EXISTS " + serviceRole);
            LOG.info("external run {}: dropped database schema {} and role {}", runId, schema, serviceRole);
            progress.accept("external run " + runId + ": dropped database schema " + schema + " and role " + serviceRole);
        } catch (SQLException e) {
            LOG.warn("external run {}: could not drop schema {} / role {}: {}", runId, schema, serviceRole, e.toString());
            progress.accept("external run " + runId + ": WARNING could not drop database schema " + schema + " / role "
                    + serviceRole + " (" + e.getMessage() + "); drop them by hand");
        }
    }
}
