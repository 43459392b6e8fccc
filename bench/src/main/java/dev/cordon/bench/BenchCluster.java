package dev.cordon.bench;

import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The Kafka cluster (and, for the audit benchmark, the PostgreSQL database) one benchmark run uses, opened by
 * {@link BenchTarget#open}: either a fresh embedded stack in this JVM, or a fresh, uniquely named corner of an external
 * cluster that is removed again on {@link #close()}. Every benchmark reaches the cluster only through this interface, so
 * the same code measures both.
 *
 * <p>Names: every topic a run creates starts with {@link #topicPrefix()}; every consumer group, Kafka Streams
 * {@code application.id} and transactional id comes from {@link #id(Role)}. On the embedded stack these are Cordon's
 * defaults (prefix {@code ""}, {@code cordon-enforcement}, …): the broker is fresh, nothing can collide. On an external
 * cluster they carry the run's random id, so a run never touches a deployment's topics, groups or transactions.
 */
public interface BenchCluster extends AutoCloseable {
    /** The applications and clients of a run that need a group, application or transactional id. */
    enum Role {
        /** The enforcement stream's Kafka Streams {@code application.id} (its consumer group, internal topic prefix). */
        ENFORCEMENT("cordon-enforcement", "enforcement"),
        /** Directive-ingest's {@code ingest.transactional.id}. */
        INGEST("cordon-directive-ingest", "ingest"),
        /** The audit sink's consumer {@code group.id}. */
        AUDIT_SINK("cordon-audit-sink", "audit-sink"),
        /** The session-throughput baseline's consumer group. */
        PASS_THROUGH("bench-pass-through", "pass-through"),
        /** The KIP-213 peer's Kafka Streams {@code application.id}. */
        PEER("bench-peer", "peer"),
        /** The fan-out baseline's transactional producer ({@code transactional.id} prefix). */
        BASELINE("bench-baseline", "baseline");

        private final String embeddedId;
        private final String suffix;

        Role(String embeddedId, String suffix) {
            this.embeddedId = embeddedId;
            this.suffix = suffix;
        }

        /** @return the id on the embedded stack (Cordon's default, as before external runs existed) */
        public String embeddedId() {
            return embeddedId;
        }

        /** @return what an external run appends to its run id, e.g. {@code enforcement} */
        public String suffix() {
            return suffix;
        }
    }

    /**
     * @return one line naming the target for the report, e.g. {@code embedded stack in this JVM} or
     *         {@code external cluster broker:9092 (registry http://registry:8081), run cordon-bench-1a2b3c4d}
     */
    String describe();

    /** @return whether this is the embedded stack in this JVM (broker and registry share the benchmark's CPU and heap) */
    boolean embedded();

    /**
     * @return client settings for any Kafka client or registry serde: {@code bootstrap.servers},
     *         {@code schema.registry.url}, then every {@link #clientSettings()} entry; a new mutable map on each call
     */
    Map<String, Object> clientConfig();

    /**
     * @return the extra client settings only (security.protocol, sasl.*, ssl.*, basic.auth.*), empty on the embedded
     *         stack; services take them under their own prefixes ({@code streams.}, {@code kafka.}, {@code consumer.} …)
     */
    Map<String, String> clientSettings();

    /** @return {@code bootstrap.servers} */
    String bootstrapServers();

    /** @return the schema registry's base URL */
    String schemaRegistryUrl();

    /** @return prefix of every topic of this run: {@code ""} on the embedded stack, e.g. {@code cordon-bench-1a2b3c4d.} */
    String topicPrefix();

    /** @return partitions of session-events and revocation-commands, as created for this run */
    int sessionPartitions();

    /** @return a local directory of this run (Kafka Streams state, audit signing keys), deleted with the run */
    Path dataDir();

    /** @return the group / application / transactional id of {@code role} in this run */
    String id(Role role);

    /**
     * @return JDBC URL of the audit database (on an external database: a schema of this run's own)
     * @throws IllegalStateException when the run has no database (not the audit benchmark, or no {@code --jdbc-url})
     */
    String jdbcUrl();

    /** @return the database role that migrates the audit schema and creates the sink's service role */
    String jdbcUser();

    /** @return its password, or {@code null} when none was given */
    String jdbcPassword();

    /** @return the service role the audit sink writes as (created by the sink's migration) */
    String auditServiceRole();

    /** @return the password that role is created with: random per run, never printed */
    String auditServicePassword();

    /** @return a non-pooled data source on {@link #jdbcUrl()} as {@link #jdbcUser()}, for the baseline and the verifier */
    DataSource dataSource();

    /**
     * Stops the embedded stack, or removes from the external cluster everything this run created (its topics, the
     * internal topics of its applications, its consumer groups, its registry subjects, its database schema and role)
     * and logs what was removed. Failures are logged, not thrown.
     */
    @Override
    void close();
}
