package dev.cordon.bench.internal;

import dev.cordon.avro.CommandKind;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.Scope;
import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.bench.BenchCluster;
import dev.cordon.bench.BenchTarget;
import dev.cordon.bench.Report;
import dev.cordon.bench.Report.Figure;
import dev.cordon.enforcement.internal.AvroTrust;
import dev.cordon.enforcement.internal.ScopeMatcher;
import dev.cordon.schemas.TopicCatalogue;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TableJoined;

/**
 * Issue 5 point 5: the same fan-out as a Kafka Streams KTable–KTable foreign-key join (KIP-213): sessions keyed by
 * session id, directives keyed by resource, the join extracting the session's resource. A directive update on a
 * resource is forwarded by the FK join to every subscribed session of that resource. Benchmark code only.
 */
public final class PeerBench {
    static final String SESSIONS = "peer-sessions";
    static final String DIRECTIVES = "peer-directives-by-resource";
    static final String COMMANDS = "peer-revocation-commands";

    private PeerBench() {
    }

    /** The peer topology on the topics {@code prefix + SESSIONS}, {@code prefix + DIRECTIVES}, {@code prefix + COMMANDS}. */
    static Topology topology(TopicCatalogue topics, String prefix) {
        Serde<SessionEvent> sessionSerde = topics.sessionEvents().valueSerde();
        Serde<DirectiveChange> directiveSerde = topics.directiveChanges().valueSerde();
        Serde<RevocationCommand> commandSerde = topics.revocationCommands().valueSerde();
        StreamsBuilder b = new StreamsBuilder();
        KTable<String, SessionEvent> sessions = b.table(prefix + SESSIONS, Consumed.with(Serdes.String(), sessionSerde),
                Materialized.<String, SessionEvent, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("peer-sessions-store")
                        .withKeySerde(Serdes.String()).withValueSerde(sessionSerde));
        KTable<String, DirectiveChange> directives = b.table(prefix + DIRECTIVES, Consumed.with(Serdes.String(), directiveSerde),
                Materialized.<String, DirectiveChange, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("peer-directives-store")
                        .withKeySerde(Serdes.String()).withValueSerde(directiveSerde));
        KTable<String, RevocationCommand> cut = sessions.join(directives, SessionEvent::getResource, (s, d) ->
                        ScopeMatcher.match(d.getScope(), s.getResource(), s.getSubject()).map(m -> RevocationCommand.newBuilder()
                                .setCommandId(d.getDirectiveId() + "/" + d.getRevision() + "/" + s.getSessionId()).setKind(CommandKind.REVOKE)
                                .setAttempt(1).setSessionId(s.getSessionId()).setUserId(s.getSubject().getUserId())
                                .setResource(s.getResource()).setGatewayId(s.getGatewayId()).setDirectiveId(d.getDirectiveId())
                                .setDirectiveRevision(d.getRevision()).setLegalBasis(d.getLegalBasis()).setMatched(m)
                                .setIssuedAt(Instant.now()).build()).orElse(null),
                TableJoined.as("peer-fk-join"),
                Materialized.<String, RevocationCommand, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("peer-commands-store")
                        .withKeySerde(Serdes.String()).withValueSerde(commandSerde));
        cut.toStream(Named.as("peer-commands-stream")).filter((k, v) -> v != null, Named.as("peer-drop-tombstones"))
                .to(prefix + COMMANDS, Produced.with(Serdes.String(), commandSerde));
        return b.build();
    }

    /**
     * Runs the peer at N sessions on a cluster of its own on {@code target} (a fresh embedded stack, or fresh topics and
     * application id on an external cluster), without Cordon's services.
     *
     * @param n sessions loaded, at least 1
     * @return the report: the peer's time to the last command (ms), its rate, first command (ms) and load rate
     * @throws Exception when the cluster or the peer application does not start or a wait times out
     */
    public static Report run(BenchTarget target, int n, Consumer<String> progress) throws Exception {
        AvroTrust.ensure();
        Report.Builder rb = new Report.Builder(String.format("peer design: KTable-KTable foreign-key join (KIP-213), N = %,d", n));
        try (BenchPipeline p = BenchPipeline.start(new BenchPipeline.Options(target, 12, false, false, Map.of(), progress))) {
            BenchCluster cluster = p.cluster();
            rb.note("target: " + cluster.describe());
            String prefix = cluster.topicPrefix();
            String sessionsTopic = prefix + SESSIONS;
            String directivesTopic = prefix + DIRECTIVES;
            String commandsTopic = prefix + COMMANDS;
            String appId = cluster.id(BenchCluster.Role.PEER);
            KafkaTools.createTopics(p.admin(), Map.of(sessionsTopic, 12, directivesTopic, 12, commandsTopic, 12));
            TopicCatalogue topics = p.topics();
            Properties props = new Properties();
            props.putAll(cluster.clientConfig());
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
            props.put(StreamsConfig.STATE_DIR_CONFIG, cluster.dataDir().resolve("peer-streams").toString());
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(StreamsConfig.POLL_MS_CONFIG, 10L);
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100L);
            props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
            props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
            props.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
            props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 10L * 1024 * 1024);
            KafkaStreams streams = new KafkaStreams(topology(topics, prefix), props);
            try {
                streams.start();
                Waits.until("peer app RUNNING", Duration.ofSeconds(120), () -> streams.state() == KafkaStreams.State.RUNNING);
                // load sessions
                long t0 = System.nanoTime();
                Instant at = Instant.now();
                Map<String, Object> pp = new HashMap<>(cluster.clientConfig());
                pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                pp.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
                pp.put(ProducerConfig.LINGER_MS_CONFIG, 5);
                try (KafkaProducer<String, SessionEvent> sp = new KafkaProducer<>(pp, Serdes.String().serializer(),
                        topics.sessionEvents().valueSerde().serializer())) {
                    for (int i = 0; i < n; i++) {
                        String id = "s-" + i;
                        sp.send(new ProducerRecord<>(sessionsTopic, id, Workload.event(id, SessionEventType.STARTED, FanOutBench.RESOURCE, i, at)));
                    }
                }
                try (KafkaConsumer<byte[], byte[]> probe = KafkaTools.rawConsumer(cluster.clientConfig())) {
                    var inputs = new java.util.HashSet<>(KafkaTools.topicsStartingWith(p.admin(), appId + "-"));
                    inputs.removeIf(t -> t.endsWith("-changelog"));
                    inputs.add(sessionsTopic);
                    Waits.until("peer consumed the sessions", Duration.ofSeconds(60 + n / 2_000), () -> {
                        try {
                            return KafkaTools.caughtUp(p.admin(), probe, appId, inputs);
                        } catch (Exception e) {
                            return false;
                        }
                    });
                }
                double loadMs = (System.nanoTime() - t0) / 1e6;
                progress.accept(String.format("peer: loaded %,d sessions in %.0f ms", n, loadMs));

                Map<TopicPartition, Long> from = KafkaTools.endOffsets(p.admin(), List.of(commandsTopic));
                double totalMs;
                double firstMs;
                try (CommandWatcher w = new CommandWatcher(cluster.clientConfig(), from, n, null).start();
                     KafkaProducer<String, DirectiveChange> dp = new KafkaProducer<>(pp, Serdes.String().serializer(),
                             topics.directiveChanges().valueSerde().serializer())) {
                    DirectiveChange d = DirectiveChange.newBuilder().setChangeId("peer-1").setDirectiveId("bench-fan-out").setRevision(1)
                            .setAction(DirectiveAction.RESTRICT).setMode(DirectiveMode.ENFORCE).setEnforcement(EnforcementKind.REVOKE_AND_DENY)
                            .setIssuer("cordon-bench").setLegalBasis("benchmark").setReason("benchmark fan-out")
                            .setEffectiveFrom(Instant.now()).setEffectiveUntil(null)
                            .setScope(Scope.newBuilder().setResources(List.of(FanOutBench.RESOURCE)).setSubjects(List.of()).setExempt(List.of()).build())
                            .setAcceptedAt(Instant.now()).setRequestId(null).setPrincipal(null).build();
                    dp.send(new ProducerRecord<>(directivesTopic, FanOutBench.RESOURCE, d)).get();
                    long sent = System.nanoTime();
                    Waits.until("all " + n + " peer commands", Duration.ofSeconds(60 + n / 1_000), () -> w.targetNanos() != 0 || w.failure() != null);
                    totalMs = (w.targetNanos() - sent) / 1e6;
                    firstMs = (w.firstNanos() - sent) / 1e6;
                }
                progress.accept(String.format("peer: %,d commands in %.0f ms (first after %.0f ms)", n, totalMs, firstMs));
                rb.add(Figure.plain("peer: time from directive acknowledged to last command visible", totalMs, "ms"));
                rb.add(Figure.plain("peer: revocations/s", n / totalMs * 1000, "revocations/s"));
                rb.add(Figure.plain("peer: directive to first command visible", firstMs, "ms"));
                rb.add(Figure.plain("peer: session load (producer to join caught up)", n / loadMs * 1000, "sessions/s"));
                rb.note("peer: exactly_once_v2, commit.interval.ms 100, poll.ms 10, producer batch.size 256 KiB / linger.ms 5, "
                        + "10 MiB record cache; the directive is produced straight to its topic (no ingest HTTP hop), timed from its ack");
            } finally {
                if (cluster.embedded()) {
                    streams.close();
                } else {
                    // leave the group, so that the run can delete it at once
                    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                            .withTimeout(Duration.ofSeconds(30)));
                }
            }
            return rb.build();
        }
    }
}
