package dev.cordon.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A tiny fan-out run completes and reports every revocation; not a timed test (no figure is asserted). */
@Tag("integration")
class BenchSmokeTest {
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldCompleteATinyFanOutAndCountEveryRevocation() throws Exception {
        // Given a fresh embedded pipeline with 200 active sessions (inside Benchmarks.fanOut)
        // When one directive covers them all
        List<Report> reports = Benchmarks.fanOut(List.of(200), Map.of(), line -> { });

        // Then the report counts all 200 REVOKE commands and carries a baseline ratio
        Report r = reports.get(0);
        assertThat(r.figures()).anySatisfy(f -> {
            assertThat(f.name()).isEqualTo("REVOKE commands counted");
            assertThat(f.value()).isEqualTo(200.0);
        });
        assertThat(r.figures()).anySatisfy(f -> assertThat(f.ratio()).isPositive());
        assertThat(r.toMarkdown()).contains("| figure | value | baseline | ratio |");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldCountEverySessionTheMemoryRunsPreviewsCover() throws Exception {
        // Given a fresh embedded pipeline with 600 active sessions of the benchmark workload (inside Benchmarks.memory):
        // user i has nationality [DE, FR, US, GB, JP, BR, IN, NG][i % 8] and role [customer, employee, contractor][i % 3]
        int n = 600;
        long notUsNorEmployee = java.util.stream.LongStream.range(0, n).filter(i -> i % 8 != 2 && i % 3 != 1).count();

        // When the memory run previews everyone on the resource twice, then nationality NOT_IN [US] with employees exempt
        Report r = Benchmarks.memory(n, Map.of(), line -> { });

        // Then each preview's aggregated report counts exactly the sessions its scope covers
        assertThat(r.figures()).filteredOn(f -> f.name().startsWith("sessions the") && f.name().endsWith("counted as covered"))
                .extracting(Report.Figure::name, Report.Figure::value)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("sessions the first preview counted as covered", (double) n),
                        org.assertj.core.groups.Tuple.tuple("sessions the second preview counted as covered", (double) n),
                        org.assertj.core.groups.Tuple.tuple("sessions the preview with conditions counted as covered",
                                (double) notUsNorEmployee));
    }
}
