package dev.cordon.enforcement.internal;

import dev.cordon.avro.Subject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Mutable counts of one sweep on one task, turned into a PARTIAL {@code DirectiveImpact} when the sweep ends.
 * A session without nationality or role counts under {@value #NONE}.
 */
public final class ImpactTally {
    /** Bucket for a session with no value of a counted attribute. */
    public static final String NONE = "(none)";

    long covered;
    long revoked;
    final Map<String, Long> byResource;
    final Map<String, Long> byNationality;
    final Map<String, Long> byRole;
    final List<String> samples;
    Long firstRevocationAt;
    Long lastRevocationAt;

    ImpactTally() {
        this(0, 0, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new ArrayList<>(), null, null);
    }

    private ImpactTally(long covered, long revoked, Map<String, Long> byResource, Map<String, Long> byNationality,
                        Map<String, Long> byRole, List<String> samples, Long first, Long last) {
        this.covered = covered;
        this.revoked = revoked;
        this.byResource = new TreeMap<>(byResource);
        this.byNationality = new TreeMap<>(byNationality);
        this.byRole = new TreeMap<>(byRole);
        this.samples = new ArrayList<>(samples);
        this.firstRevocationAt = first;
        this.lastRevocationAt = last;
    }

    /** Counts one covered live session. */
    void covered(String sessionId, String resource, Subject subject, int sampleLimit) {
        covered++;
        byResource.merge(resource == null ? NONE : resource, 1L, Long::sum);
        countAll(byNationality, subject == null ? null : subject.getNationality());
        countAll(byRole, subject == null ? null : subject.getRole());
        if (samples.size() < sampleLimit) {
            samples.add(sessionId);
        }
    }

    /** Counts one REVOKE issued at {@code nowMs}. */
    void revoked(long nowMs) {
        revoked++;
        if (firstRevocationAt == null) {
            firstRevocationAt = nowMs;
        }
        lastRevocationAt = nowMs;
    }

    private static void countAll(Map<String, Long> counts, List<String> values) {
        if (values == null || values.isEmpty()) {
            counts.merge(NONE, 1L, Long::sum);
            return;
        }
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (values.indexOf(v) == i) { // each distinct value once
                counts.merge(v, 1L, Long::sum);
            }
        }
    }

    void write(StateCodec.Out out) throws IOException {
        out.longValue(covered);
        out.longValue(revoked);
        out.counts(byResource);
        out.counts(byNationality);
        out.counts(byRole);
        out.strings(samples);
        out.nullableLong(firstRevocationAt);
        out.nullableLong(lastRevocationAt);
    }

    static ImpactTally read(StateCodec.In in) throws IOException {
        return new ImpactTally(in.longValue(), in.longValue(), in.counts(), in.counts(), in.counts(), in.strings(),
                in.nullableLong(), in.nullableLong());
    }
}
