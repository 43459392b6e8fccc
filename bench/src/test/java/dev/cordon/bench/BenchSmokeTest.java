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
}
