package dev.cordon.enforcement.internal;

import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.CommandKind;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.Scope;
import dev.cordon.schemas.serde.AvroBinary;
import dev.cordon.schemas.signing.DirectiveSignatureException;
import dev.cordon.schemas.signing.DirectiveSignatures;
import dev.cordon.schemas.signing.TrustedKeys;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import dev.cordon.avro.ImpactKind;
import dev.cordon.enforcement.EnforcementSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * {@value Names#APPLY_DIRECTIVES}: applies the multicast directive changes to this session task (DESIGN.md
 * "Directive lifecycle"), runs the schedule (activation / expiry) and the sweeps.
 *
 * <ul>
 *   <li>ENFORCE RESTRICT / LIFT: ordered by revision only; a revision not above the current one is ignored and
 *       audited {@code DIRECTIVE_IGNORED}. A newer revision stops unfinished sweeps of older ones (they report
 *       what they did, outcome SUPERSEDED). A RESTRICT in force now is activated at once; one in the future is
 *       activated by the schedule punctuation when its time comes.</li>
 *   <li>Activation ({@code DIRECTIVE_ACTIVATED}) starts a sweep: REVOKE_AND_DENY revokes the ACTIVE sessions it
 *       covers; DENY_NEW only counts.</li>
 *   <li>DRY_RUN: never stored, never replaces anything; a counting sweep of its scope over ACTIVE sessions (whatever
 *       its effective window) produces the impact report.</li>
 *   <li>Sweeps: at most {@code sweepBatchSize} sessions per {@code sweepIntervalMs} wall-clock punctuation over all
 *       sweeps, resuming after the persisted cursor; a finished sweep emits a PARTIAL {@code DirectiveImpact} and
 *       {@code SWEEP_ENDED}. Never a whole fan-out from one call (DESIGN.md "Fan-out at scale").</li>
 * </ul>
 */
final class ApplyDirectivesProcessor implements Processor<String, DirectiveChange, String, Emit> {
    private final EnforcementSettings settings;
    private ProcessorContext<String, Emit> context;
    private Enforcer enforcer;

    private final TrustedKeys trusted;
    private final LiveSessions live;

    ApplyDirectivesProcessor(EnforcementSettings settings, TrustedKeys trusted, LiveSessions live) {
        this.settings = settings;
        this.trusted = trusted;
        this.live = live;
    }

    @Override
    public void init(ProcessorContext<String, Emit> context) {
        this.context = context;
        this.enforcer = new Enforcer(context, settings.component(), settings.lastSeenGranularityMs(), live);
        context.schedule(Duration.ofMillis(settings.sweepIntervalMs()), PunctuationType.WALL_CLOCK_TIME, t -> sweep());
        context.schedule(Duration.ofMillis(settings.scheduleCheckIntervalMs()), PunctuationType.WALL_CLOCK_TIME, t -> checkSchedule());
    }

    @Override
    public void process(Record<String, DirectiveChange> record) {
        DirectiveChange change = record.value();
        if (change == null) {
            return; // the decoder never forwards one
        }
        long now = context.currentSystemTimeMs();
        String id = change.getDirectiveId();
        if (trusted != null && !signedByTrustedKey(record, change, now)) {
            return; // forged, unsigned or unknown key: no effect (dead-lettered and audited)
        }
        if (change.getMode() == DirectiveMode.DRY_RUN) {
            enforcer.audit(id, received(change, now).detail("status", "DRY_RUN"), now);
            startSweep(change, now);
            return;
        }
        DirectiveEntry entry = enforcer.directives.get(id);
        if (entry != null && change.getRevision() <= entry.current().getRevision()) {
            boolean duplicate = change.getRevision() == entry.current().getRevision();
            enforcer.audit(id, enforcer.auditor.event(AuditEventType.DIRECTIVE_IGNORED, now)
                    .directive(id, change.getRevision())
                    .detail("reason", duplicate ? "duplicate revision" : "stale revision")
                    .detail("currentRevision", entry.current().getRevision())
                    .detail("changeId", change.getChangeId()), now);
            return;
        }
        stopOlderSweeps(change, now);
        if (change.getAction() == DirectiveAction.LIFT) {
            enforcer.putDirective(id, new DirectiveEntry(change, true, true));
            enforcer.audit(id, received(change, now).detail("status", "LIFTED"), now);
            return;
        }
        long from = change.getEffectiveFrom().toEpochMilli();
        Instant until = change.getEffectiveUntil();
        if (until != null && until.toEpochMilli() <= now) {
            enforcer.putDirective(id, new DirectiveEntry(change, true, true));
            enforcer.audit(id, received(change, now).detail("status", "EXPIRED_ON_ARRIVAL"), now);
        } else if (from <= now) {
            enforcer.putDirective(id, new DirectiveEntry(change, true, false));
            enforcer.audit(id, received(change, now).detail("status", "IN_FORCE"), now);
            activate(change, now);
        } else {
            enforcer.putDirective(id, new DirectiveEntry(change, false, false));
            enforcer.audit(id, received(change, now).detail("status", "SCHEDULED"), now);
        }
    }

    private Auditor.Builder received(DirectiveChange change, long now) {
        return enforcer.auditor.event(AuditEventType.DIRECTIVE_RECEIVED, now)
                .directive(change.getDirectiveId(), change.getRevision())
                .detail("action", change.getAction())
                .detail("mode", change.getMode())
                .detail("enforcement", change.getAction() == DirectiveAction.LIFT ? null : change.getEnforcement())
                .detail("changeId", change.getChangeId())
                .detail("requestId", change.getRequestId())
                .detail("effectiveFrom", change.getEffectiveFrom())
                .detail("effectiveUntil", change.getEffectiveUntil());
    }

    private void activate(DirectiveChange change, long now) {
        enforcer.audit(change.getDirectiveId(), enforcer.auditor.event(AuditEventType.DIRECTIVE_ACTIVATED, now)
                .directive(change.getDirectiveId(), change.getRevision())
                .detail("enforcement", change.getEnforcement())
                .detail("changeId", change.getChangeId())
                .detail("effectiveFrom", change.getEffectiveFrom()), now);
        startSweep(change, now);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ApplyDirectivesProcessor.class);

    private void startSweep(DirectiveChange change, long now) {
        LOG.atDebug().addKeyValue("directiveId", change.getDirectiveId()).addKeyValue("revision", change.getRevision())
                .addKeyValue("partition", context.taskId().partition())
                .log("sweep started for {} revision {} ({})", change.getDirectiveId(), change.getRevision(), change.getMode());
        String key = SweepState.key(change);
        if (enforcer.sweep(key) != null) {
            return; // already sweeping this very revision (e.g. a re-delivered dry run)
        }
        enforcer.putSweep(key, new SweepState(change, now, null, new ImpactTally()));
        enforcer.audit(change.getDirectiveId(), enforcer.auditor.event(AuditEventType.SWEEP_STARTED, now)
                .directive(change.getDirectiveId(), change.getRevision())
                .detail("mode", change.getMode())
                .detail("enforcement", change.getEnforcement())
                .detail("changeId", change.getChangeId())
                .detail("requestId", change.getRequestId()), now);
    }

    /** A newer ENFORCE revision stops the unfinished ENFORCE sweeps of older revisions of the same directive. */
    private void stopOlderSweeps(DirectiveChange newer, long now) {
        String prefix = SweepState.prefix(newer.getDirectiveId());
        for (KeyValue<String, SweepState> kv : enforcer.allSweeps()) {
            SweepState s = kv.value;
            if (kv.key.startsWith(prefix) && !s.dryRun() && s.change().getRevision() < newer.getRevision()) {
                endSweep(kv.key, s, now, "SUPERSEDED");
            }
        }
    }

    /** Schedule punctuation: activation and expiry of this task's directives whose time has come. */
    void checkSchedule() {
        long now = context.currentSystemTimeMs();
        List<KeyValue<String, DirectiveEntry>> due = new java.util.ArrayList<>();
        try (KeyValueIterator<String, DirectiveEntry> it = enforcer.directives.all()) {
            while (it.hasNext()) {
                KeyValue<String, DirectiveEntry> kv = it.next();
                if (kv.value.scheduleDue(now)) {
                    due.add(kv);
                }
            }
        }
        for (KeyValue<String, DirectiveEntry> kv : due) {
            DirectiveChange d = kv.value.current();
            boolean activated = kv.value.activated();
            boolean expired = kv.value.expired();
            if (!activated && d.getEffectiveFrom().toEpochMilli() <= now) {
                // activated even when its whole window already passed between two checks: it was in force, so the
                // sessions it covered are cut (the sweep runs to completion) and the activation is audited before expiry
                activated = true;
                activate(d, now);
            }
            if (!expired && d.getEffectiveUntil() != null && d.getEffectiveUntil().toEpochMilli() <= now
                    && enforcer.sweep(SweepState.key(d)) == null) {
                expired = true;
                enforcer.audit(d.getDirectiveId(), enforcer.auditor.event(AuditEventType.DIRECTIVE_EXPIRED, now)
                        .directive(d.getDirectiveId(), d.getRevision())
                        .detail("changeId", d.getChangeId())
                        .detail("effectiveUntil", d.getEffectiveUntil()), now);
            }
            enforcer.putDirective(kv.key, new DirectiveEntry(d, activated, expired));
        }
    }

    /**
     * Wall-clock budget of one sweep punctuation, in ns. {@code sweepBatchSize} bounds the entries a task visits per
     * punctuation, but one stream thread runs the punctuations of all its tasks (12 by default) before it can commit,
     * so a count alone let one transaction hold 12 × 5,000 cuts — longer than Streams' 10 s transaction timeout on a
     * loaded 2-core machine, which fences the producer (DESIGN.md "Fan-out at scale"). Time bounds it whatever the
     * machine: a batch is cut short after 25 ms and resumes from its cursor at the next punctuation. A performance
     * bound only; no decision depends on it.
     */
    static final long SWEEP_TIME_BUDGET_NANOS = 25_000_000L;

    /**
     * Bounds of a punctuation in which a sweep takes its first batch: at most {@value} entries and
     * {@link #FIRST_BATCH_TIME_BUDGET_NANOS}. Streams punctuates every task of the thread before it commits, so a full
     * 25 ms batch on each of 12 tasks delayed the first commit — and the first revocation a gateway can read — by
     * ~300 ms; small first batches let every task emit some cuts and the requested commit follow at once.
     */
    static final int FIRST_BATCH_ENTRIES = 256;

    /** How many more entries a punctuation of only counting (DRY_RUN) sweeps may visit than {@code sweepBatchSize}. */
    static final int DRY_RUN_BATCH_FACTOR = 10;
    static final long FIRST_BATCH_TIME_BUDGET_NANOS = 2_000_000L;

    /** Sweep punctuation: at most {@code sweepBatchSize} session entries, and about 25 ms, over all unfinished sweeps. */
    void sweep() {
        List<KeyValue<String, SweepState>> active = enforcer.allSweeps();
        if (active.isEmpty()) {
            return;
        }
        long now = context.currentSystemTimeMs();
        List<DirectiveChange> inForce = enforcer.inForce(now);
        // counting-only (DRY_RUN) sweeps write nothing per session, so the transaction they share cannot grow with the
        // entries they visit: only the time budget bounds them (a preview over 1M sessions: 2.6 s -> 2.1 s)
        boolean countingOnly = active.stream().allMatch(kv -> kv.value.dryRun());
        int budget = countingOnly ? settings.sweepBatchSize() * DRY_RUN_BATCH_FACTOR : settings.sweepBatchSize();
        long deadline = System.nanoTime() + SWEEP_TIME_BUDGET_NANOS;
        active = collectOrStartParallelCounts(active, now);
        if (active.stream().anyMatch(kv -> kv.value.cursor == null)) {
            // a sweep's first batch: keep it small and commit right after this punctuation, not at the next commit
            // interval, so the first revocations become visible to read_committed gateways at once
            budget = Math.min(budget, FIRST_BATCH_ENTRIES);
            deadline = System.nanoTime() + FIRST_BATCH_TIME_BUDGET_NANOS;
            context.commit();
        }
        for (KeyValue<String, SweepState> kv : active) {
            if (budget <= 0) {
                break;
            }
            SweepState s = kv.value;
            boolean enforcing = !s.dryRun();
            if (enforcing && !stillCurrent(s.change())) {
                endSweep(kv.key, s, now, "OUT_OF_FORCE");
                continue;
            }
            boolean revoking = enforcing && s.change().getEnforcement() == EnforcementKind.REVOKE_AND_DENY;
            boolean exhausted = true;
            SessionState.LiveReader reader = liveReader(s.change().getScope());
            try (KeyValueIterator<String, byte[]> it = enforcer.sessionsFrom(s.cursor)) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> session = it.next();
                    if (session.key.equals(s.cursor)) {
                        continue;
                    }
                    if (budget <= 0 || ((budget & 63) == 0 && System.nanoTime() > deadline)) {
                        exhausted = false;
                        budget = 0; // the other sweeps wait for the next punctuation too
                        break;
                    }
                    budget--;
                    s.cursor = session.key;
                    visit(s, session.key, session.value, reader, revoking, inForce, now);
                }
            }
            if (exhausted) {
                endSweep(kv.key, s, now, "COMPLETED");
            } else {
                enforcer.putSweep(kv.key, s);
            }
        }
    }

    /**
     * Counting-only sweeps of a task holding at least {@code parallelCountMinSessions} sessions are handed, before their
     * first inline batch, to {@link ParallelCount}; a finished count ends its sweep here, on the stream thread.
     *
     * @return the sweeps left to run inline in this punctuation
     */
    private List<KeyValue<String, SweepState>> collectOrStartParallelCounts(List<KeyValue<String, SweepState>> active, long now) {
        List<KeyValue<String, SweepState>> inline = new java.util.ArrayList<>(active.size());
        Long estimate = null;
        for (KeyValue<String, SweepState> kv : active) {
            SweepState s = kv.value;
            ParallelCount.Job job = counting.get(kv.key);
            if (job != null) {
                if (job.isDone()) {
                    counting.remove(kv.key);
                    endSweep(kv.key, s.withTally(job.tally()), now, "COMPLETED");
                }
                continue;
            }
            if (s.dryRun() && s.cursor == null) {
                if (estimate == null) {
                    estimate = enforcer.approximateSessions();
                }
                if (estimate >= settings.parallelCountMinSessions()) {
                    counting.put(kv.key, ParallelCount.start(enforcer, s.change(), settings.impactSampleSize()));
                    continue;
                }
            }
            inline.add(kv);
        }
        return inline;
    }

    /** Counts in progress on worker threads, by sweep key; never stored (a re-initialised task counts again). */
    private final java.util.Map<String, ParallelCount.Job> counting = new java.util.HashMap<>();

    @Override
    public void close() {
        counting.values().forEach(ParallelCount.Job::cancel);
        counting.clear();
    }

    /**
     * An enforced sweep runs to completion while its revision is the directive's current one — also past its
     * {@code effectiveUntil}: the sessions it covered while in force are cut whatever happens to the directive next (and
     * the expiry is audited after the sweep ends). A newer revision stops it (DESIGN.md "Directive lifecycle").
     */
    private boolean stillCurrent(DirectiveChange swept) {
        DirectiveEntry entry = enforcer.directives.get(swept.getDirectiveId());
        return entry != null && entry.current().getRevision() == swept.getRevision()
                && DirectiveRules.isEnforcedRestrict(entry.current());
    }

    /**
     * Counts one session into the sweep's tally and, for an enforced {@code REVOKE_AND_DENY} revision, cuts it. Only
     * ACTIVE sessions are covered: an ENDED one is gone and a CUT one (revoked or denied earlier, by this directive or
     * another) stays cut and is not revoked twice, so counting it would overstate the blast radius of an amendment.
     */
    private void visit(SweepState s, String sessionId, byte[] stored, SessionState.LiveReader reader, boolean revoking,
                       List<DirectiveChange> inForce, long now) {
        Covered covered = countCovered(s.tally, s.change().getScope(), reader, sessionId, stored, settings.impactSampleSize());
        if (covered == null || !revoking) {
            return;
        }
        SessionState session = Enforcer.decode(stored);
        // the command names the covering directive of highest precedence, which may be another one in force
        DirectiveRules.Match match = DirectiveRules.choose(inForce, session.resource(), session.subject(), true)
                .orElse(new DirectiveRules.Match(s.change(), covered.matched()));
        enforcer.cut(session, session, CommandKind.REVOKE, match, "SWEEP", now);
        s.tally.revoked(now);
    }

    /**
     * @return a reader of stored sessions for a sweep of {@code scope}: it decodes a session's subject only when
     *         {@code scope} covers its resource, and of the subject only what {@code scope} reads and the counts need
     */
    static SessionState.LiveReader liveReader(Scope scope) {
        return new SessionState.LiveReader(ScopeMatcher.resourcePredicate(scope), ScopeMatcher.attributesRead(scope));
    }

    /** A live session a sweep's scope covers, and the part of the scope that matched. */
    record Covered(SessionState.Live live, String matched) {
    }

    /**
     * Counts one stored session into {@code tally} when it is ACTIVE and {@code scope} covers it (the inline sweep's
     * visit and {@link ParallelCount}'s workers both count with this).
     *
     * @param reader {@link #liveReader} of {@code scope}
     * @return what covered it, or {@code null} when it is not live or not covered
     * @throws org.apache.kafka.common.errors.SerializationException when {@code stored} is unreadable
     */
    static Covered countCovered(ImpactTally tally, Scope scope, SessionState.LiveReader reader, String sessionId, byte[] stored,
                                int sampleSize) {
        SessionState.Live live = reader.read(stored);
        if (live == null) {
            return null;
        }
        Optional<String> matched = ScopeMatcher.match(scope, live.resource(), live.subject());
        if (matched.isEmpty()) {
            return null;
        }
        tally.covered(sessionId, live.resource(), live.subject(), sampleSize);
        return new Covered(live, matched.get());
    }

    private void endSweep(String key, SweepState s, long now, String outcome) {
        enforcer.deleteSweep(key);
        context.commit(); // the PARTIAL report is awaited (preview API, demo, operators): publish it now
        DirectiveChange d = s.change();
        ImpactTally t = s.tally;
        DirectiveImpact partial = DirectiveImpact.newBuilder()
                .setDirectiveId(d.getDirectiveId())
                .setRevision(d.getRevision())
                .setChangeId(d.getChangeId())
                .setRequestId(d.getRequestId())
                .setMode(d.getMode())
                .setKind(ImpactKind.PARTIAL)
                .setPartition(enforcer.partition)
                .setPartitionCount(settings.sessionPartitions())
                .setPartitionsReported(1)
                .setCovered(t.covered)
                .setRevoked(t.revoked)
                .setCountsByResource(t.byResource)
                .setCountsByNationality(t.byNationality)
                .setCountsByRole(t.byRole)
                .setSampleSessionIds(t.samples)
                .setAcceptedAt(d.getAcceptedAt())
                .setSweepStartedAt(Instant.ofEpochMilli(s.sweepStartedAt))
                .setCompletedAt(Instant.ofEpochMilli(now))
                .setFirstRevocationAt(t.firstRevocationAt == null ? null : Instant.ofEpochMilli(t.firstRevocationAt))
                .setLastRevocationAt(t.lastRevocationAt == null ? null : Instant.ofEpochMilli(t.lastRevocationAt))
                .build();
        enforcer.forward(d.getDirectiveId(), new Emit.Impact(partial), now);
        LOG.atDebug().addKeyValue("directiveId", d.getDirectiveId()).addKeyValue("revision", d.getRevision())
                .addKeyValue("partition", enforcer.partition).addKeyValue("mode", d.getMode())
                .addKeyValue("covered", t.covered).addKeyValue("revoked", t.revoked).addKeyValue("outcome", outcome)
                .log("sweep of {} revision {} on partition {} ended {}: {} covered, {} revoked", d.getDirectiveId(),
                        d.getRevision(), enforcer.partition, outcome, t.covered, t.revoked);
        enforcer.audit(d.getDirectiveId(), enforcer.auditor.event(AuditEventType.SWEEP_ENDED, now)
                .directive(d.getDirectiveId(), d.getRevision())
                .detail("mode", d.getMode())
                .detail("outcome", outcome)
                .detail("countedBy", s.countedByWorkers ? "workers" : "stream-thread")
                .detail("covered", t.covered)
                .detail("revoked", t.revoked)
                .detail("changeId", d.getChangeId())
                .detail("requestId", d.getRequestId()), now);
    }

    /**
     * Verifies the change's Ed25519 signature (issue 6 §4; {@link DirectiveSignatures}) after the multicast, so
     * a record written straight into directive-changes by anyone but ingest has no effect. A refused record goes
     * to dead-letters (its canonical bytes; one per session partition, since every task sees it) and is audited
     * as DIRECTIVE_IGNORED with the reason.
     *
     * @return true when a trusted key signed exactly these bytes
     */
    private boolean signedByTrustedKey(Record<String, DirectiveChange> record, DirectiveChange change, long now) {
        try {
            DirectiveSignatures.verify(change, record.headers(), trusted);
            return true;
        } catch (DirectiveSignatureException e) {
            byte[] key = change.getDirectiveId().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            DeadLetters.forward(context, enforcer.auditor,
                    new Record<>(key, AvroBinary.encode(change), record.timestamp(), record.headers()), e, now);
            enforcer.audit(change.getDirectiveId(), enforcer.auditor.event(AuditEventType.DIRECTIVE_IGNORED, now)
                    .directive(change.getDirectiveId(), change.getRevision())
                    .detail("status", "SIGNATURE_" + e.reason().name())
                    .detail("keyId", String.valueOf(e.keyId()))
                    .detail("changeId", String.valueOf(change.getChangeId()))
                    .detail("error", String.valueOf(e.getMessage())), now);
            return false;
        }
    }
}
