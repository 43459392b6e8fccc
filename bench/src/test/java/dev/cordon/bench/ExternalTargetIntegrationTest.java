package dev.cordon.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.embedded.EmbeddedStack;
import dev.cordon.schemas.TopicNames;
import dev.cordon.schemas.registry.RestSchemaRegistryClient;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The external-cluster path of the benchmarks, run against an embedded stack started here as if it were a real cluster
 * (its bootstrap servers and registry URL only): a run measures, and afterwards nothing of it is left on the broker, in
 * the registry or in the database — while the "deployment's" own topics (the stack's unprefixed Cordon topics) are never
 * written to and its groups never joined.
 */
@Tag("integration")
class ExternalTargetIntegrationTest {
    private static final Pattern RUN_ID = Pattern.compile("cordon-bench-[0-9a-f]{8}");

    private static EmbeddedStack stack;
    private static Admin admin;

    @BeforeAll
    static void startStack() {
        stack = EmbeddedStack.start(EmbeddedStack.Options.builder().sessionPartitions(12).build());
        admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
    }

    @AfterAll
    static void stopStack() {
        if (admin != null) {
            admin.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static Set<String> transactionalIds() throws Exception {
        return admin.listTransactions().all().get(30, TimeUnit.SECONDS).stream()
                .map(org.apache.kafka.clients.admin.TransactionListing::transactionalId)
                .collect(java.util.stream.Collectors.toSet());
    }

    private static BenchTarget external(String jdbcUrl, String jdbcUser, String jdbcPassword) {
        return BenchTarget.external(new BenchTarget.External(stack.bootstrapServers(), stack.schemaRegistryUrl(), Map.of(),
                jdbcUrl, jdbcUser, jdbcPassword));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunAFanOutOnAnExternalClusterAndLeaveNothingBehind() throws Exception {
        // Given a cluster with a "deployment" on it (the stack's own, unprefixed Cordon topics)
        Set<String> topicsBefore = topics();
        Set<String> groupsBefore = groups();
        Map<TopicPartition, Long> deploymentEnds = deploymentEndOffsets();
        Set<String> transactionsBefore = transactionalIds();
        List<String> progress = Collections.synchronizedList(new ArrayList<>());

        // When a 2,000-session fan-out runs against it through the external path
        List<Report> reports = Benchmarks.fanOut(external(null, null, null), List.of(2_000), Map.of(), progress::add);

        // Then the report has the fan-out figures, every session revoked, beside a measured baseline
        assertThat(reports).hasSize(1);
        Report r = reports.get(0);
        assertThat(figure(r, "REVOKE commands counted").value()).isEqualTo(2_000.0);
        assertThat(figure(r, "REVOKE commands counted").met()).isEqualTo("met");
        Report.Figure total = figure(r, "time from 202 to last REVOKE visible");
        assertThat(total.value()).isPositive();
        assertThat(total.baseline()).isPositive();
        assertThat(total.ratio()).isPositive();
        assertThat(figure(r, "directive (202) to first REVOKE visible").value()).isPositive();

        // and it says it ran on the external cluster, under a run id of its own, writing to the run's topics only
        String targetNote = r.notes().stream().filter(n -> n.startsWith("target: ")).findFirst().orElseThrow();
        assertThat(targetNote).contains("external cluster " + stack.bootstrapServers());
        String runId = runId(targetNote);
        assertThat(targetNote).contains("application id " + runId + "-enforcement");
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("wrote to `" + runId + ".revocation-commands`"));
        assertThat(r.notes()).noneSatisfy(n -> assertThat(n).startsWith("wrote to `" + TopicNames.REVOCATION_COMMANDS + "`"));

        // and afterwards no topic of the run's prefix or application id, no group and no registry subject of it remains
        assertThat(topics()).noneMatch(t -> t.startsWith(runId + ".") || t.startsWith(runId + "-enforcement"))
                .isEqualTo(topicsBefore);
        assertThat(groups()).noneMatch(g -> g.startsWith(runId)).isEqualTo(groupsBefore);
        assertThat(RestSchemaRegistryClient.forUrls(stack.schemaRegistryUrl()).getAllSubjects()).noneMatch(s -> s.startsWith(runId));
        assertThat(progress).anySatisfy(l -> assertThat(l).startsWith("external run " + runId + ": deleted").contains("topics"));

        // and every transactional id it used (Streams, ingest, the baseline producer) carries the run id, so prefixed
        // transactional-id ACLs can grant a benchmark exactly its own
        Set<String> used = new java.util.TreeSet<>(transactionalIds());
        used.removeAll(transactionsBefore);
        assertThat(used).isNotEmpty().allSatisfy(id -> assertThat(id).startsWith(runId + "-"));
        assertThat(used).anySatisfy(id -> assertThat(id).startsWith(runId + "-baseline-"));

        // and the deployment's own topics were never written to, its enforcement group never joined
        assertThat(deploymentEndOffsets()).isEqualTo(deploymentEnds);
        assertThat(groups()).doesNotContain(BenchCluster.Role.ENFORCEMENT.embeddedId());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunTheAuditBenchmarkInASchemaOfItsOwnAndDropIt() throws Exception {
        // Given the cluster and a database reachable as a role that may create schemas and roles
        Set<String> topicsBefore = topics();
        List<String> progress = Collections.synchronizedList(new ArrayList<>());

        // When the audit benchmark runs against them through the external path
        Report r = Benchmarks.audit(external(stack.jdbcUrl(), stack.jdbcUser(), stack.jdbcPassword()), 2_000, progress::add);

        // Then the sink stored and verify checked every entry, beside the plain baselines
        assertThat(figure(r, "verify result ok").value()).isEqualTo(1.0);
        Report.Figure sink = r.figures().get(0);
        assertThat(sink.name()).startsWith("entries/s appended by the audit sink");
        assertThat(sink.value()).isPositive();
        assertThat(sink.baseline()).isPositive();
        String runId = runId(r.notes().stream().filter(n -> n.startsWith("target: ")).findFirst().orElseThrow());
        String schema = "cordon_bench_" + runId.substring("cordon-bench-".length());

        // and afterwards its schema, its service role and its topics are gone, and the database's own schema untouched
        try (Connection c = stack.postgresDataSource().getConnection()) {
            assertThat(count(c, "SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?", schema)).isZero();
            assertThat(count(c, "SELECT count(*) FROM pg_roles WHERE rolname = ?", schema + "_writer")).isZero();
            assertThat(count(c, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", "audit_entries")).isZero();
        }
        assertThat(topics()).noneMatch(t -> t.startsWith(runId)).isEqualTo(topicsBefore);
        assertThat(groups()).noneMatch(g -> g.startsWith(runId));
        assertThat(progress).anySatisfy(l -> assertThat(l).contains("dropped database schema " + schema));
    }

    private static String runId(String text) {
        Matcher m = RUN_ID.matcher(text);
        assertThat(m.find()).as("a run id in: %s", text).isTrue();
        return m.group();
    }

    private static Report.Figure figure(Report r, String name) {
        return r.figures().stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no figure `" + name + "` in " + r.toMarkdown()));
    }

    private static Set<String> topics() throws Exception {
        return new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
    }

    private static Set<String> groups() throws Exception {
        Set<String> out = new TreeSet<>();
        for (GroupListing g : admin.listGroups().all().get(30, TimeUnit.SECONDS)) {
            out.add(g.groupId());
        }
        return out;
    }

    private static Map<TopicPartition, Long> deploymentEndOffsets() throws Exception {
        Map<TopicPartition, OffsetSpec> req = new HashMap<>();
        for (TopicNames.TopicSpec spec : TopicNames.specs("", 12)) {
            for (int p = 0; p < spec.partitions(); p++) {
                req.put(new TopicPartition(spec.name(), p), OffsetSpec.latest());
            }
        }
        Map<TopicPartition, Long> out = new HashMap<>();
        admin.listOffsets(req).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static long count(Connection c, String sql, String arg) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
