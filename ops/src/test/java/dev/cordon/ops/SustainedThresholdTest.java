package dev.cordon.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SustainedThresholdTest {

    @Test
    void shouldTurnDownOnlyAfterValueStaysAboveMaxLongerThanGrace() {
        // Given max 100 with a 5 s grace
        SustainedThreshold t = new SustainedThreshold("lag (records)", 100, 5_000);
        assertThat(t.result(0).up()).isTrue();

        // When the value goes above at t=1 s and stays there
        t.observe(500, 1_000);
        t.observe(600, 4_000);

        // Then still up within the grace, down after it, naming the value
        assertThat(t.result(6_000).up()).isTrue();
        HealthCheck.Result down = t.result(6_001);
        assertThat(down.up()).isFalse();
        assertThat(down.detail()).contains("600 > 100");

        // When it falls back, it is up again and a new spike starts a new grace
        t.observe(10, 7_000);
        assertThat(t.result(7_000).up()).isTrue();
        t.observe(1_000, 8_000);
        assertThat(t.result(12_000).up()).isTrue();
    }
}
