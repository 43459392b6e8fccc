package dev.cordon.bench.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.avro.SessionEvent;
import dev.cordon.bench.BenchCluster;
import dev.cordon.bench.BenchTarget;
import dev.cordon.enforcement.EnforcementApp;
import dev.cordon.enforcement.EnforcementConfig;
import dev.cordon.enforcement.EnforcementTopology;
import dev.cordon.ingest.IngestConfig;
import dev.cordon.ingest.IngestService;
import dev.cordon.schemas.TopicCatalogue;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.TopologyDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of Cordon a benchmark needs, in this JVM: the cluster of the run ({@link BenchCluster}: the embedded stack
 * with broker, schema registry and optionally PostgreSQL, or a fresh corner of an external cluster), enforcement-stream
 * and directive-ingest (authentication and four-eyes approval off, so a POST is published at once and answers 202).
 * The services get the cluster's extra client settings under their own prefixes ({@code streams.} and {@code serde.}
 * for enforcement, {@code kafka.} for ingest) and the run's ids ({@link BenchCluster#id}).
 */
public final class BenchPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BenchPipeline.class);
    /** Enforcement settings an external run sets itself and refuses in {@link Options#enforcementProps()}. */
    static final Set<String> RUN_CHOSEN_KEYS = Set.of("application.id", "topic.prefix", "bootstrap.servers",
            "schema.registry.url", "state.dir", "session.partitions");

    private final BenchCluster cluster;
    private final TopicCatalogue topics;
    private final List<AutoCloseable> closeables;
    private final EnforcementApp enforcement;
    private final IngestService ingest;
    private final EnforcementConfig enforcementConfig;
    private final Admin admin;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param target          where the run happens (embedded stack or external cluster)
     * @param partitions      partitions of session-events (and the session-keyed internal topics)
     * @param withPostgres    whether the run needs PostgreSQL (the audit benchmark)
     * @param withServices    whether enforcement-stream and ingest start
     * @param enforcementProps extra enforcement-stream keys (e.g. {@code streams.commit.interval.ms})
     * @param progress        progress lines (stderr): what the run created on an external cluster and deleted again
     */
    public record Options(BenchTarget target, int partitions, boolean withPostgres, boolean withServices,
                          Map<String, Object> enforcementProps, Consumer<String> progress) {
    }

    private BenchPipeline(BenchCluster cluster, TopicCatalogue topics, List<AutoCloseable> closeables, EnforcementApp enforcement,
                          IngestService ingest, EnforcementConfig cfg, Admin admin) {
        this.cluster = cluster;
        this.topics = topics;
        this.closeables = closeables;
        this.enforcement = enforcement;
        this.ingest = ingest;
        this.enforcementConfig = cfg;
        this.admin = admin;
    }

    /**
     * Opens the run's cluster, starts the services and waits until every stream task is assigned.
     *
     * @throws IllegalArgumentException on an external target, when {@code enforcementProps} sets one of
     *                                  {@link #RUN_CHOSEN_KEYS} (before anything is created)
     * @throws Exception when the cluster or a service does not start, or the tasks are not assigned within 120 s
     *                   (everything started so far is closed, an external run's topics deleted)
     */
    public static BenchPipeline start(Options o) throws Exception {
        if (!o.target().isEmbedded()) {
            for (String key : o.enforcementProps().keySet()) {
                String k = key.startsWith(EnforcementConfig.STREAMS_PREFIX) ? key.substring(EnforcementConfig.STREAMS_PREFIX.length()) : key;
                if (RUN_CHOSEN_KEYS.contains(k)) {
                    throw new IllegalArgumentException("enforcement setting `" + key + "` is chosen per run on an external "
                            + "cluster (so that a run never shares a deployment's topics, group or state); remove it");
                }
            }
        }
        List<AutoCloseable> started = new ArrayList<>();
        try {
            BenchCluster cluster = o.target().open(o.partitions(), o.withPostgres(), o.progress());
            started.add(cluster);
            TopicCatalogue topics = TopicCatalogue.create(cluster.topicPrefix(), serdeConfig(cluster));
            Admin admin = Admin.create(cluster.clientConfig());
            started.add(admin);
            EnforcementApp enforcement = null;
            IngestService ingest = null;
            EnforcementConfig cfg = null;
            if (o.withServices()) {
                // ingest signs every change; enforcement verifies against its public half (DESIGN.md, issue 6)
                dev.cordon.schemas.signing.SigningKey key = dev.cordon.schemas.signing.SigningKey.generate();
                Map<String, Object> sp = new HashMap<>();
                sp.put(EnforcementConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
                sp.put(EnforcementConfig.SCHEMA_REGISTRY_URL_CONFIG, cluster.schemaRegistryUrl());
                cluster.clientSettings().forEach((k, v) -> {
                    sp.put(EnforcementConfig.STREAMS_PREFIX + k, v);
                    sp.put(EnforcementConfig.SERDE_PREFIX + k, v);
                });
                sp.put(EnforcementConfig.APPLICATION_ID_CONFIG, cluster.id(BenchCluster.Role.ENFORCEMENT));
                sp.put("topic.prefix", cluster.topicPrefix());
                sp.put("session.partitions", o.partitions());
                sp.put("state.dir", cluster.dataDir().resolve("streams").toString());
                sp.put("directive.trusted.keys", key.trustedEntry());
                sp.putAll(o.enforcementProps());
                cfg = new EnforcementConfig(sp);
                enforcement = EnforcementApp.start(cfg);
                started.add(enforcement);
                if (!cluster.embedded()) {
                    // Streams stays in its group on close by default; leaving lets the run delete the group at once
                    EnforcementApp e = enforcement;
                    Duration closeTimeout = Duration.ofMillis(cfg.closeTimeoutMs());
                    started.add(() -> e.streams().close(CloseOptions.groupMembershipOperation(
                            CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(closeTimeout)));
                }
                Map<String, Object> ip = new HashMap<>(cluster.clientConfig());
                cluster.clientSettings().forEach((k, v) -> ip.put(IngestConfig.KAFKA_PREFIX + k, v));
                ip.put(IngestConfig.TRANSACTIONAL_ID_CONFIG, cluster.id(BenchCluster.Role.INGEST));
                ip.put("topic.prefix", cluster.topicPrefix());
                ip.put("ingest.port", 0);
                ip.put("ingest.auth.disabled", true);
                ip.put("ingest.approval.required", false);
                ip.put("ingest.signing.private.key", key.privateKeyBase64());
                ingest = IngestService.start(new IngestConfig(ip));
                started.add(ingest);
            }
            BenchPipeline p = new BenchPipeline(cluster, topics, started, enforcement, ingest, cfg, admin);
            if (enforcement != null) {
                EnforcementApp e = enforcement;
                Waits.until("every stream task assigned", Duration.ofSeconds(120), e::isRunning);
            }
            return p;
        } catch (Exception | Error e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                closeQuietly(started.get(i));
            }
            throw e;
        }
    }

    /** @return registry serde settings of {@code cluster}: its registry URL and extra client settings */
    static Map<String, Object> serdeConfig(BenchCluster cluster) {
        Map<String, Object> m = new HashMap<>(cluster.clientSettings());
        m.put("schema.registry.url", cluster.schemaRegistryUrl());
        return m;
    }

    /** @return the cluster of this run */
    public BenchCluster cluster() {
        return cluster;
    }

    /**
     * @return every topic of this run, sorted: on the embedded stack all topics; on an external cluster those under the
     *         run's prefix and the enforcement application's internal topics (never another deployment's)
     */
    public List<String> runTopics() throws java.util.concurrent.ExecutionException, InterruptedException {
        String internal = enforcementConfig == null ? null : applicationId() + "-";
        return admin.listTopics().names().get().stream()
                .filter(t -> t.startsWith(cluster.topicPrefix()) || (internal != null && t.startsWith(internal))).sorted().toList();
    }

    public TopicCatalogue topics() {
        return topics;
    }

    public Admin admin() {
        return admin;
    }

    public EnforcementApp enforcement() {
        return enforcement;
    }

    /** @return the enforcement application id (consumer group, internal topic prefix) */
    public String applicationId() {
        return enforcementConfig.applicationId();
    }

    /** @return every topic the enforcement application reads (external ones, and its repartition topics) */
    public Set<String> enforcementInputs() {
        Set<String> external = Set.of(topics.directiveChanges().name(), topics.sessionEvents().name(),
                topics.revocationCommands().name(), topics.directiveImpacts().name(), topics.auditLog().name(),
                topics.deadLetters().name());
        Set<String> out = new HashSet<>();
        TopologyDescription d = EnforcementTopology.build(topics, enforcementConfig.settings()).describe();
        for (TopologyDescription.Subtopology s : d.subtopologies()) {
            for (TopologyDescription.Node n : s.nodes()) {
                if (n instanceof TopologyDescription.Source src && src.topicSet() != null) {
                    for (String t : src.topicSet()) {
                        out.add(external.contains(t) ? t : applicationId() + "-" + t);
                    }
                }
            }
        }
        return out;
    }

    /** @return a producer of session events tuned for throughput (idempotent, acks=all, 256 KiB batches, linger 5 ms) */
    public KafkaProducer<String, SessionEvent> sessionProducer(int lingerMs) {
        Map<String, Object> p = new HashMap<>(cluster.clientConfig());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        return new KafkaProducer<>(p, topics.sessionEvents().keySerde().serializer(), topics.sessionEvents().valueSerde().serializer());
    }

    /**
     * Posts a directive document to ingest's {@code POST /v1/directives}.
     *
     * @return the HTTP status (202 when accepted)
     * @throws IllegalStateException when ingest refuses it
     */
    public int issue(ObjectNode doc) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(ingest.baseUri().resolve("/v1/directives"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(doc), StandardCharsets.UTF_8)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("ingest refused the directive: HTTP " + r.statusCode() + " " + r.body());
        }
        return r.statusCode();
    }

    /**
     * Asks ingest's {@code POST /v1/directives:preview} for the blast radius of {@code doc} and, when it answers 202
     * (the report took longer than ingest's preview timeout), polls {@code GET /v1/previews/{requestId}} until 200.
     *
     * @return the 200 report (JSON) and the ms from sending the POST to receiving it
     * @throws IllegalStateException when ingest refuses the preview or no report comes within {@code timeout}
     */
    public Preview preview(ObjectNode doc, Duration timeout) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpRequest req = HttpRequest.newBuilder(ingest.baseUri().resolve("/v1/directives:preview"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(doc), StandardCharsets.UTF_8)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        long deadline = t0 + timeout.toNanos();
        while (r.statusCode() == 202 && System.nanoTime() < deadline) {
            String requestId = json.readTree(r.body()).path("requestId").asText();
            r = http.send(HttpRequest.newBuilder(ingest.baseUri().resolve("/v1/previews/" + requestId)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("preview not answered with a report: HTTP " + r.statusCode() + " " + r.body());
        }
        return new Preview((ObjectNode) json.readTree(r.body()), (System.nanoTime() - t0) / 1e6);
    }

    /** A preview's aggregated impact report and the time it took, ms. */
    public record Preview(ObjectNode report, double ms) {
    }

    /** A RESTRICT / ENFORCE / REVOKE_AND_DENY document on the given resources; {@code subjectsNotIn} empty = everyone. */
    public ObjectNode restrict(String id, List<String> resources, String attribute, List<String> values) {
        ObjectNode doc = json.createObjectNode();
        doc.put("directiveId", id).put("revision", 1).put("action", "RESTRICT").put("issuer", "cordon-bench")
                .put("legalBasis", "benchmark").put("reason", "benchmark fan-out").put("mode", "ENFORCE")
                .put("enforcement", "REVOKE_AND_DENY");
        ObjectNode scope = doc.putObject("scope");
        resources.forEach(scope.putArray("resources")::add);
        if (attribute != null) {
            ObjectNode cond = scope.putArray("subjects").addObject().putArray("all").addObject();
            cond.put("attribute", attribute).put("op", "IN");
            values.forEach(cond.putArray("values")::add);
        }
        return doc;
    }

    /** @return ingest's base URI */
    public URI ingestUri() {
        return ingest.baseUri();
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("error while closing {}", c.getClass().getSimpleName(), e);
        }
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeQuietly(closeables.get(i));
        }
    }
}
