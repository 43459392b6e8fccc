package dev.cordon.cli.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.VerifyReport;
import dev.cordon.avro.CommandKind;
import dev.cordon.avro.RevocationCommand;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays a {@link ScenarioFile} through a running {@link LocalPipeline}, exactly as DESIGN.md
 * "Scenario files" specifies: time 0 is the moment the pipeline runs; each step is sent at its
 * {@code atMs}; directives go through the ingest API (a refusal is reported on stderr and has no
 * effect) and, when ingest holds one for four-eyes approval ({@code PENDING_APPROVAL}), the runner
 * approves it at once with the pipeline's second operator, as an operator would; session events are
 * produced to session-events. At the end it waits for every scheduled
 * activation or expiry due by the last {@code atMs} + 5 s and for the pipeline to be idle, prints
 * every REVOKE / DENY command as one JSON line on stdout, and verifies the audit chain.
 */
public final class ScenarioRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ScenarioRunner.class);

    /** Scheduled times up to this long after the last step are waited for (DESIGN.md). */
    static final Duration SCHEDULE_HORIZON = Duration.ofSeconds(5);

    private final ObjectMapper mapper;
    private final PrintWriter out;
    private final PrintWriter err;

    /**
     * @param mapper JSON mapper
     * @param out    where commands go (one JSON object per line)
     * @param err    where refusals and progress go
     */
    public ScenarioRunner(ObjectMapper mapper, PrintWriter out, PrintWriter err) {
        this.mapper = mapper;
        this.out = out;
        this.err = err;
    }

    /**
     * What a run produced.
     *
     * @param commands      the REVOKE / DENY commands printed
     * @param refusedSteps  how many directives ingest refused
     * @param audit         the audit chain verification
     */
    public record Result(List<RevocationCommand> commands, int refusedSteps, VerifyReport audit) {
    }

    /**
     * Runs the scenario.
     *
     * @param scenario the parsed timeline
     * @param pipeline a started pipeline with fresh state
     * @return the commands printed, refusals and the audit verification
     * @throws Exception when the pipeline fails or does not become idle in time
     */
    public Result run(ScenarioFile scenario, LocalPipeline pipeline) throws Exception {
        pipeline.warmUp(mapper, Duration.ofSeconds(60));
        Instant timeZero = Instant.now();
        long zeroNanos = System.nanoTime();
        Instant latestScheduled = null;
        Instant horizon = timeZero.plusMillis(scenario.lastAtMs()).plus(SCHEDULE_HORIZON);
        int refused = 0;
        for (ScenarioFile.Step step : scenario.steps()) {
            long waitNanos = zeroNanos + step.atMs() * 1_000_000L - System.nanoTime();
            if (waitNanos > 0) {
                Thread.sleep(waitNanos / 1_000_000L, (int) (waitNanos % 1_000_000L)); // the timeline's own clock
            }
            ObjectNode body = step.resolve(timeZero);
            switch (step.kind()) {
                case SESSION -> {
                    try {
                        pipeline.sendSession(JsonForms.sessionEvent(body));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(scenario.source() + ":" + step.line() + ": " + e.getMessage(), e);
                    }
                }
                case DIRECTIVE -> {
                    IngestClient.Response r = pipeline.ingest().issue(body);
                    if (r.accepted() && "PENDING_APPROVAL".equals(r.body().path("status").asText())) {
                        IngestClient.Response approval = pipeline.approver().approve(r.body().path("directiveId").asText(),
                                r.body().path("revision").asInt(), "scenario " + scenario.source().getFileName() + ":"
                                        + step.line(), java.util.UUID.randomUUID().toString());
                        LOG.info("line {}: four-eyes approval: HTTP {} {}", step.line(), approval.status(), approval.body());
                        r = approval;
                    }
                    if (r.accepted()) {
                        LOG.info("line {}: directive accepted: {}", step.line(), r.body());
                        for (Instant t : step.scheduledInstants(timeZero)) {
                            if (!t.isAfter(horizon) && (latestScheduled == null || t.isAfter(latestScheduled))) {
                                latestScheduled = t;
                            }
                        }
                    } else {
                        refused++;
                        err.println(scenario.source().getFileName() + ":" + step.line() + ": directive refused: HTTP "
                                + r.status() + " " + r.body());
                    }
                }
            }
        }
        if (latestScheduled != null) {
            long ms = latestScheduled.toEpochMilli() - System.currentTimeMillis();
            if (ms > 0) {
                LOG.info("waiting {} ms for the last scheduled activation or expiry", ms);
                Thread.sleep(ms + 1); // a scheduled instant is wall-clock time: it passes, it is not awaited
            }
        }
        pipeline.awaitIdle(Duration.ofSeconds(60));
        List<RevocationCommand> commands = new ArrayList<>();
        for (RevocationCommand c : pipeline.readCommands()) {
            if (c.getKind() == CommandKind.REVOKE || c.getKind() == CommandKind.DENY) {
                commands.add(c);
                out.println(mapper.writeValueAsString(JsonForms.command(mapper, c)));
            }
        }
        out.flush();
        VerifyReport audit = pipeline.verifyAudit(Duration.ofSeconds(60));
        return new Result(commands, refused, audit);
    }
}
