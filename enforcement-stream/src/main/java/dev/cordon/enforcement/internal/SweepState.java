package dev.cordon.enforcement.internal;

import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveMode;
import java.io.IOException;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * An unfinished sweep of one directive revision over one task's session store (DESIGN.md "Fan-out at
 * scale"): the revision swept, the last session key processed (exclusive resume point) and the counts so
 * far. Changelogged, so a crash resumes from the cursor.
 */
public final class SweepState {
    /** Store serde (internal format 1). */
    public static final Serde<SweepState> SERDE = StateCodec.serde(1, SweepState::write, SweepState::read);

    final DirectiveChange change;
    final long sweepStartedAt;
    String cursor;
    final ImpactTally tally;
    /** Whether {@link ParallelCount}'s workers counted it (never stored: only a finished sweep carries it, to its audit). */
    final boolean countedByWorkers;

    SweepState(DirectiveChange change, long sweepStartedAt, String cursor, ImpactTally tally) {
        this(change, sweepStartedAt, cursor, tally, false);
    }

    private SweepState(DirectiveChange change, long sweepStartedAt, String cursor, ImpactTally tally, boolean countedByWorkers) {
        this.change = Objects.requireNonNull(change, "change");
        this.sweepStartedAt = sweepStartedAt;
        this.cursor = cursor;
        this.tally = tally;
        this.countedByWorkers = countedByWorkers;
    }

    /** @return the revision swept */
    public DirectiveChange change() {
        return change;
    }

    /**
     * Sweep store key: {@code directiveId NUL mode NUL revision(10 digits) NUL requestId}. All sweeps of
     * one directive share the prefix {@code directiveId NUL}.
     */
    public static String key(DirectiveChange change) {
        return prefix(change.getDirectiveId()) + change.getMode() + '\u0000'
                + String.format("%010d", change.getRevision()) + '\u0000'
                + (change.getRequestId() == null ? "" : change.getRequestId());
    }

    /** @return the key prefix shared by every sweep of {@code directiveId} */
    public static String prefix(String directiveId) {
        return directiveId + '\u0000';
    }

    /** @return this sweep, finished from its start with {@code counts} (a count run off the stream thread) */
    SweepState withTally(ImpactTally counts) {
        return new SweepState(change, sweepStartedAt, cursor, counts, true);
    }

    boolean dryRun() {
        return change.getMode() == DirectiveMode.DRY_RUN;
    }

    private static void write(SweepState v, StateCodec.Out out) throws IOException {
        out.record(v.change);
        out.longValue(v.sweepStartedAt);
        out.nullableString(v.cursor);
        v.tally.write(out);
    }

    private static SweepState read(StateCodec.In in) throws IOException {
        return new SweepState(in.record(DirectiveChange.class), in.longValue(), in.nullableString(), ImpactTally.read(in));
    }
}
