package dev.cordon.enforcement.internal;

import dev.cordon.avro.DirectiveChange;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A session task's view of one directive: its current revision (highest ENFORCE RESTRICT or LIFT seen,
 * ordered by revision only) and whether its activation and expiry were already processed on this task.
 *
 * @param current   the current revision's document
 * @param activated activation processed (in force since, swept and audited), or moot (LIFT, expired on arrival)
 * @param expired   expiry processed (audited), or moot
 */
public record DirectiveEntry(DirectiveChange current, boolean activated, boolean expired) {
    /** Store serde (internal format 1). */
    public static final Serde<DirectiveEntry> SERDE = StateCodec.serde(1,
            (v, out) -> {
                out.record(v.current());
                out.bool(v.activated());
                out.bool(v.expired());
            },
            in -> new DirectiveEntry(in.record(DirectiveChange.class), in.bool(), in.bool()));

    public DirectiveEntry {
        Objects.requireNonNull(current, "current");
    }

    /** @return whether activation or expiry of this entry is due at {@code nowMs} but not yet processed */
    public boolean scheduleDue(long nowMs) {
        if (!DirectiveRules.isEnforcedRestrict(current)) {
            return false;
        }
        long from = current.getEffectiveFrom().toEpochMilli();
        Long until = current.getEffectiveUntil() == null ? null : current.getEffectiveUntil().toEpochMilli();
        return !activated && from <= nowMs || !expired && until != null && until <= nowMs;
    }
}
