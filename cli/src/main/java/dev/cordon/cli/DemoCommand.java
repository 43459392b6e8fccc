package dev.cordon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.VerifyReport;
import dev.cordon.avro.CommandKind;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.ImpactKind;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.SessionEvent;
import dev.cordon.cli.internal.DemoWorkload;
import dev.cordon.cli.internal.IngestClient;
import dev.cordon.cli.internal.JsonForms;
import dev.cordon.cli.internal.LocalPipeline;
import dev.cordon.cli.internal.ReferenceRules;
import dev.cordon.enforcement.EnforcementSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cordon demo}: the export-control order played on the embedded stack against synthetic live
 * sessions, checked against a separate plain evaluation of DESIGN.md's rules.
 *
 * <p>Phase 1 restricts {@code fable-5} and {@code mythos-5} for foreign nationals (nationality
 * NOT_IN [US]); phase 2 amends the same directive to everyone, domestic users and employees
 * included. New sessions keep arriving throughout. Which of REVOKE or DENY a session near the
 * moment of acceptance gets is a race, so the checks are on what is determined: every covered
 * session is cut exactly once, no uncovered session is cut, each cut names a revision whose scope
 * covers the session, and sessions live before phase 1 that phase 1 covers are cut by revision 1.
 * Exit code 0 when all checks and the audit chain hold, 1 otherwise.
 *
 * <p>Operators' workflow (issue 6): the pipeline creates two operators' tokens (issuer {@code operator},
 * approver {@code approver}). Phase 1 is issued as <b>break-glass</b> (in force at once, time-boxed,
 * its legal basis marked in every command); phase 2 goes through <b>four-eyes</b>: submitted by the
 * issuer, pending, then approved by the approver.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the export-control demo on the embedded stack and check the outcome.")
public final class DemoCommand implements Callable<Integer> {
    static final String DIRECTIVE_ID = "BIS-2026-AI-001";

    @Option(names = "--sessions", defaultValue = "10000", description = "Live sessions before the order (default ${DEFAULT-VALUE}).")
    int sessions;

    @Option(names = "--arrivals-per-second", defaultValue = "200",
            description = "New sessions per second while the order plays (default ${DEFAULT-VALUE}).")
    int arrivalsPerSecond;

    @Option(names = "--seed", defaultValue = "20261126", description = "Random seed of the workload (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--session-partitions", defaultValue = "12", description = "Partitions of session-events (default ${DEFAULT-VALUE}).")
    int sessionPartitions;

    @Option(names = "--data-dir", description = "Keep the embedded stack's state here (default: a temporary directory).")
    Path dataDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    record Sent(String sessionId, ObjectNode json, long ackNanos) {
    }

    @Override
    public Integer call() throws Exception {
        if (sessions < 1 || arrivalsPerSecond < 0) {
            throw new IllegalArgumentException("--sessions must be >= 1 and --arrivals-per-second >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        long started = System.nanoTime();
        out.printf("Cordon demo: %,d live sessions on %s, %d partitions%n", sessions, String.join(", ", DemoWorkload.RESOURCES),
                sessionPartitions);
        out.flush();
        try (LocalPipeline pipeline = LocalPipeline.start(
                new LocalPipeline.Options(dataDir, sessionPartitions, EnforcementSettings.defaults()), mapper, Duration.ofSeconds(90))) {
            out.printf("  pipeline running in %.1f s (Kafka broker, schema registry, PostgreSQL, ingest, enforcement, audit sink)%n",
                    seconds(started));
            DemoWorkload workload = new DemoWorkload(seed, mapper);
            Map<String, Sent> sent = new ConcurrentHashMap<>();

            for (int i = 0; i < sessions; i++) {
                send(pipeline, workload.started(String.format("s-%05d", i), Instant.now()), sent);
            }
            pipeline.sessionProducer().flush();
            pipeline.awaitIdle(Duration.ofSeconds(60));
            out.printf("  %,d sessions started and live (%.1f s)%n", sessions, seconds(started));
            out.flush();

            ScheduledExecutorService arrivals = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "demo-arrivals"));
            AtomicInteger arrivalNo = new AtomicInteger();
            AtomicReference<Exception> arrivalFailure = new AtomicReference<>();
            int perTick = Math.max(1, arrivalsPerSecond / 20);
            if (arrivalsPerSecond > 0) {
                arrivals.scheduleAtFixedRate(() -> {
                    try {
                        for (int k = 0; k < perTick; k++) {
                            send(pipeline, workload.started(String.format("n-%05d", arrivalNo.getAndIncrement()), Instant.now()), sent);
                        }
                    } catch (Exception e) {
                        arrivalFailure.compareAndSet(null, e);
                    }
                }, 0, 50, TimeUnit.MILLISECONDS);
            }

            ObjectNode phase1 = directive(mapper, 1, "Restrict frontier models fable-5 and mythos-5 for foreign nationals", true);
            phase1.put("breakGlass", true);
            JsonNode phase2 = directive(mapper, 2, "Amended: restrict fable-5 and mythos-5 for all users, employees included", false);
            Map<Integer, JsonNode> documents = Map.of(1, phase1, 2, phase2);

            long phase1PostedAt = System.nanoTime();
            out.println("  phase 1  " + issue(pipeline, phase1));
            out.flush();
            DirectiveImpact report1 = awaitAggregate(pipeline, 1);
            Thread.sleep(1500); // let new sessions arrive while phase 1 is in force: the demo's timeline, not a wait for an outcome
            out.println("  phase 2  " + issue(pipeline, phase2));
            out.flush();
            DirectiveImpact report2 = awaitAggregate(pipeline, 2);
            Thread.sleep(1500); // the same, for phase 2
            arrivals.shutdown();
            arrivals.awaitTermination(10, TimeUnit.SECONDS);
            if (arrivalFailure.get() != null) {
                throw arrivalFailure.get();
            }
            pipeline.sessionProducer().flush();
            pipeline.awaitIdle(Duration.ofSeconds(60));

            List<RevocationCommand> commands = pipeline.readCommands();
            List<String> failures = check(commands, sent, documents, phase1PostedAt);
            sweepCheck(1, report1.getCovered(), report1.getRevoked()).ifPresent(failures::add);
            sweepCheck(2, report2.getCovered(), report2.getRevoked()).ifPresent(failures::add);
            printPhase(out, 1, "nationality NOT_IN [US]", commands, report1);
            printPhase(out, 2, "everyone (subjects empty)", commands, report2);
            out.printf("  arrivals during the order: %,d new sessions%n", arrivalNo.get());

            VerifyReport audit = pipeline.verifyAudit(Duration.ofSeconds(60));
            if (failures.isEmpty()) {
                out.printf("  checks: OK: %,d covered sessions (by a separate evaluation of the rules) each cut exactly once; none uncovered cut%n",
                        coveredCount(sent, phase2));
            } else {
                out.println("  checks: FAILED");
                failures.stream().limit(20).forEach(f -> out.println("    - " + f));
            }
            out.printf("  audit chain: %s (%,d entries%s)%n", audit.ok() ? "verified" : "BROKEN at " + audit.firstBadSequence()
                    + ": " + audit.problem(), audit.entries(), audit.ok() ? ", head " + audit.headHash() : "");
            out.printf("  finished in %.1f s%n", seconds(started));
            out.flush();
            return failures.isEmpty() && audit.ok() ? 0 : 1;
        }
    }

    private static void send(LocalPipeline pipeline, ObjectNode json, Map<String, Sent> sent) {
        SessionEvent event = JsonForms.sessionEvent(json);
        String id = event.getSessionId();
        pipeline.sessionProducer().send(new ProducerRecord<>(pipeline.topics().sessionEvents().name(), id, event), (md, ex) -> {
            if (ex == null) {
                sent.put(id, new Sent(id, json, System.nanoTime()));
            }
        });
    }

    private static ObjectNode directive(ObjectMapper mapper, int revision, String reason, boolean foreignOnly) {
        ObjectNode d = mapper.createObjectNode();
        d.put("directiveId", DIRECTIVE_ID);
        d.put("revision", revision);
        d.put("action", "RESTRICT");
        d.put("issuer", "us-bis");
        d.put("legalBasis", "15 CFR 744.23 (interim order)");
        d.put("reason", reason);
        d.put("mode", "ENFORCE");
        d.put("enforcement", "REVOKE_AND_DENY");
        ObjectNode scope = d.putObject("scope");
        scope.putArray("resources").add("fable-5").add("mythos-5");
        var subjects = scope.putArray("subjects");
        if (foreignOnly) {
            ObjectNode condition = mapper.createObjectNode();
            condition.put("attribute", "nationality");
            condition.put("op", "NOT_IN");
            condition.putArray("values").add("US");
            subjects.addObject().putArray("all").add(condition);
        }
        scope.putArray("exempt");
        return d;
    }

    /** Issues as the pipeline's issuer; a revision held for four-eyes is approved by its approver. */
    private static String issue(LocalPipeline pipeline, JsonNode document) throws Exception {
        IngestClient.Response r = pipeline.ingest().issue(document);
        if (!r.accepted()) {
            throw new IllegalStateException("ingest refused the demo directive: HTTP " + r.status() + " " + r.body());
        }
        JsonNode body = r.body();
        if (body.path("breakGlass").asBoolean()) {
            return "BREAK-GLASS by " + LocalPipeline.ISSUER_PRINCIPAL + ": in force at once, unapproved, lapses "
                    + body.path("effectiveUntil").asText() + " unless approved";
        }
        if (!"PENDING_APPROVAL".equals(body.path("status").asText())) {
            return "accepted";
        }
        IngestClient.Response approval = pipeline.approver().approve(body.path("directiveId").asText(),
                body.path("revision").asInt(), "demo: four-eyes", java.util.UUID.randomUUID().toString());
        if (!approval.accepted()) {
            throw new IllegalStateException("ingest refused the demo approval: HTTP " + approval.status() + " " + approval.body());
        }
        return "four-eyes: submitted by " + body.path("submittedBy").asText() + ", pending, approved by "
                + approval.body().path("approvedBy").asText();
    }

    private static DirectiveImpact awaitAggregate(LocalPipeline pipeline, int revision) throws Exception {
        AtomicReference<DirectiveImpact> found = new AtomicReference<>();
        LocalPipeline.await("aggregated impact report of " + DIRECTIVE_ID + " revision " + revision, Duration.ofSeconds(60), () -> {
            for (DirectiveImpact i : pipeline.readImpacts()) {
                if (i.getKind() == ImpactKind.AGGREGATE && i.getDirectiveId().equals(DIRECTIVE_ID) && i.getRevision() == revision) {
                    found.set(i);
                    return true;
                }
            }
            return false;
        });
        return found.get();
    }

    /**
     * A REVOKE_AND_DENY sweep cuts every live session it covers, and counts as covered only live (ACTIVE) sessions —
     * not those an earlier revision already cut — so its aggregated report must have covered = revoked.
     *
     * @return the failure, if the report of {@code revision} breaks that
     */
    static Optional<String> sweepCheck(int revision, long covered, long revoked) {
        return covered == revoked ? Optional.empty()
                : Optional.of("revision " + revision + "'s sweep covered " + covered + " live sessions but revoked " + revoked);
    }

    /** The determined checks; returns what failed (empty when all hold). */
    static List<String> check(List<RevocationCommand> commands, Map<String, Sent> sent, Map<Integer, JsonNode> documents,
                              long phase1PostedAt) {
        List<String> failures = new ArrayList<>();
        Map<String, RevocationCommand> firstCut = new HashMap<>();
        for (RevocationCommand c : commands) {
            if (c.getAttempt() != 1) {
                failures.add("unexpected re-revocation (attempt " + c.getAttempt() + ") of " + c.getSessionId());
                continue;
            }
            RevocationCommand previous = firstCut.putIfAbsent(c.getSessionId(), c);
            if (previous != null) {
                failures.add("session " + c.getSessionId() + " cut twice: " + previous.getKind() + " and " + c.getKind());
            }
            Sent s = sent.get(c.getSessionId());
            if (s == null) {
                failures.add("command for a session the demo never started: " + c.getSessionId());
                continue;
            }
            JsonNode doc = documents.get(c.getDirectiveRevision());
            if (doc == null || !ReferenceRules.covers(doc, s.json().get("resource").asText(), s.json().get("subject"))) {
                failures.add("session " + c.getSessionId() + " cut by revision " + c.getDirectiveRevision() + " which does not cover it");
            }
        }
        JsonNode last = documents.get(2);
        for (Sent s : sent.values()) {
            boolean covered = ReferenceRules.covers(last, s.json().get("resource").asText(), s.json().get("subject"));
            RevocationCommand cut = firstCut.get(s.sessionId());
            if (covered && cut == null) {
                failures.add("covered session " + s.sessionId() + " was never cut");
            } else if (!covered && cut != null) {
                failures.add("uncovered session " + s.sessionId() + " was cut");
            }
            if (cut != null && s.ackNanos() < phase1PostedAt
                    && ReferenceRules.covers(documents.get(1), s.json().get("resource").asText(), s.json().get("subject"))
                    && cut.getDirectiveRevision() != 1) {
                failures.add("session " + s.sessionId() + " was live before phase 1 and covered by it, but was cut by revision "
                        + cut.getDirectiveRevision());
            }
        }
        return failures;
    }

    private static long coveredCount(Map<String, Sent> sent, JsonNode last) {
        return sent.values().stream()
                .filter(s -> ReferenceRules.covers(last, s.json().get("resource").asText(), s.json().get("subject")))
                .count();
    }

    private static void printPhase(PrintWriter out, int revision, String scope, List<RevocationCommand> commands, DirectiveImpact report) {
        long revoked = commands.stream().filter(c -> c.getDirectiveRevision() == revision && c.getKind() == CommandKind.REVOKE).count();
        long denied = commands.stream().filter(c -> c.getDirectiveRevision() == revision && c.getKind() == CommandKind.DENY).count();
        String latency = Optional.ofNullable(report.getLastRevocationAt())
                .map(t -> (t.toEpochMilli() - report.getAcceptedAt().toEpochMilli()) + " ms")
                .orElse("n/a (nothing to revoke)");
        String first = Optional.ofNullable(report.getFirstRevocationAt())
                .map(t -> (t.toEpochMilli() - report.getAcceptedAt().toEpochMilli()) + " ms")
                .orElse("n/a");
        Set<String> byResource = new TreeSet<>();
        report.getCountsByResource().forEach((k, v) -> byResource.add(k + "=" + v));
        out.printf("  phase %d  %s revision %d, fable-5 + mythos-5, %s%n", revision, DIRECTIVE_ID, revision, scope);
        out.printf("           covered %,d (revoked %,d + denied %,d); sweep covered %,d live sessions %s in %d partitions%n",
                revoked + denied, revoked, denied, report.getCovered(), byResource, report.getPartitionsReported());
        out.printf("           acceptance -> first revocation %s, -> last revocation %s%n", first, latency);
        out.flush();
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

}
