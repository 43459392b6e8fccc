package dev.cordon.enforcement.internal;

import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.ImpactKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serde;

/**
 * The partials of one (directiveId, mode, revision, requestId) combined so far, and which partitions
 * reported. Combining: sums of counts, union of samples (sorted, first {@code sampleLimit}), earliest
 * sweep start and first revocation, latest last revocation.
 *
 * @param combined   the aggregate so far (kind AGGREGATE, partition -1)
 * @param partitions partitions that reported, ascending
 */
public record ImpactAccumulator(DirectiveImpact combined, List<Integer> partitions) {
    /** Store serde (internal format 1). */
    public static final Serde<ImpactAccumulator> SERDE = StateCodec.serde(1,
            (v, out) -> {
                out.record(v.combined());
                out.integers(v.partitions());
            },
            in -> new ImpactAccumulator(in.record(DirectiveImpact.class), in.integers()));

    /** @return the store key grouping the partials of one report */
    public static String key(DirectiveImpact p) {
        return p.getDirectiveId() + '\u0000' + p.getMode() + '\u0000' + String.format("%010d", p.getRevision())
                + '\u0000' + (p.getRequestId() == null ? "" : p.getRequestId());
    }

    /** @return the accumulator with {@code partial} added (a partition already reported is ignored by the caller) */
    static ImpactAccumulator add(ImpactAccumulator acc, DirectiveImpact partial, int sampleLimit) {
        if (acc == null) {
            DirectiveImpact first = DirectiveImpact.newBuilder(partial)
                    .setKind(ImpactKind.AGGREGATE)
                    .setPartition(-1)
                    .setPartitionsReported(1)
                    .setCountsByResource(new TreeMap<>(partial.getCountsByResource()))
                    .setCountsByNationality(new TreeMap<>(partial.getCountsByNationality()))
                    .setCountsByRole(new TreeMap<>(partial.getCountsByRole()))
                    .setSampleSessionIds(limit(new TreeSet<>(partial.getSampleSessionIds()), sampleLimit))
                    .build();
            return new ImpactAccumulator(first, List.of(partial.getPartition()));
        }
        DirectiveImpact c = acc.combined();
        TreeSet<String> samples = new TreeSet<>(c.getSampleSessionIds());
        samples.addAll(partial.getSampleSessionIds());
        DirectiveImpact next = DirectiveImpact.newBuilder(c)
                .setPartitionsReported(c.getPartitionsReported() + 1)
                .setCovered(c.getCovered() + partial.getCovered())
                .setRevoked(c.getRevoked() + partial.getRevoked())
                .setCountsByResource(sum(c.getCountsByResource(), partial.getCountsByResource()))
                .setCountsByNationality(sum(c.getCountsByNationality(), partial.getCountsByNationality()))
                .setCountsByRole(sum(c.getCountsByRole(), partial.getCountsByRole()))
                .setSampleSessionIds(limit(samples, sampleLimit))
                .setSweepStartedAt(min(c.getSweepStartedAt(), partial.getSweepStartedAt()))
                .setCompletedAt(max(c.getCompletedAt(), partial.getCompletedAt()))
                .setFirstRevocationAt(minNullable(c.getFirstRevocationAt(), partial.getFirstRevocationAt()))
                .setLastRevocationAt(maxNullable(c.getLastRevocationAt(), partial.getLastRevocationAt()))
                .build();
        List<Integer> partitions = new ArrayList<>(acc.partitions());
        partitions.add(partial.getPartition());
        partitions.sort(null);
        return new ImpactAccumulator(next, partitions);
    }

    private static List<String> limit(TreeSet<String> samples, int limit) {
        return samples.stream().limit(limit).toList();
    }

    private static Map<String, Long> sum(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> m = new TreeMap<>(a);
        b.forEach((k, v) -> m.merge(k, v, Long::sum));
        return m;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant minNullable(Instant a, Instant b) {
        return a == null ? b : b == null ? a : min(a, b);
    }

    private static Instant maxNullable(Instant a, Instant b) {
        return a == null ? b : b == null ? a : max(a, b);
    }
}
