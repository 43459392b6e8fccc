package dev.cordon.enforcement.internal;

import dev.cordon.avro.Subject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Mutable counts of one sweep on one task, turned into a PARTIAL {@code DirectiveImpact} when the sweep ends.
 * A session without nationality or role counts under {@value #NONE}; nationalities count upper-case (ISO 3166-1 codes,
 * compared case-insensitively by {@link ScopeMatcher}).
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
        countAll(byNationality, subject == null ? null : subject.getNationality(), true);
        countAll(byRole, subject == null ? null : subject.getRole(), false);
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

    /**
     * Counts a session once under each distinct value of one of its list attributes, or under {@link #NONE}.
     *
     * @param upperCase whether values are country codes, counted upper-case as {@code ScopeMatcher} compares them, so
     *                  {@code de} and {@code DE} are one bucket
     */
    private static void countAll(Map<String, Long> counts, List<String> values, boolean upperCase) {
        if (values == null || values.isEmpty()) {
            counts.merge(NONE, 1L, Long::sum);
            return;
        }
        for (int i = 0; i < values.size(); i++) {
            String v = key(values.get(i), upperCase);
            boolean first = true; // each distinct value once
            for (int j = 0; j < i && first; j++) {
                first = !v.equals(key(values.get(j), upperCase));
            }
            if (first) {
                counts.merge(v, 1L, Long::sum);
            }
        }
    }

    private static String key(String value, boolean upperCase) {
        return upperCase ? value.toUpperCase(java.util.Locale.ROOT) : value;
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
