package dev.cordon.enforcement.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.avro.Subject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ImpactTally}: a covered session counts once per distinct nationality and role; countries upper-case. */
class ImpactTallyTest {

    private static Subject subject(List<String> nationality, List<String> role) {
        return new Subject("u", null, nationality, null, null, role, Map.of());
    }

    @Test
    void shouldCountNationalitiesUpperCaseAsTheScopeMatchesThemAndEachDistinctValueOnce() {
        ImpactTally t = new ImpactTally();
        t.covered("s-1", "fable-5", subject(List.of("de", "DE", "Fr"), List.of("employee", "employee")), 10);
        t.covered("s-2", "fable-5", subject(List.of("DE"), List.of("Employee")), 10);
        t.covered("s-3", "mythos-5", subject(List.of(), List.of()), 10);
        assertThat(t.covered).isEqualTo(3);
        assertThat(t.byNationality).containsExactlyInAnyOrderEntriesOf(Map.of(ImpactTally.NONE, 1L, "DE", 2L, "FR", 1L));
        assertThat(t.byRole).as("roles are not country codes: counted as written")
                .containsExactlyInAnyOrderEntriesOf(Map.of(ImpactTally.NONE, 1L, "Employee", 1L, "employee", 1L));
        assertThat(t.byResource).containsExactlyInAnyOrderEntriesOf(Map.of("fable-5", 2L, "mythos-5", 1L));
        assertThat(t.samples).containsExactly("s-1", "s-2", "s-3");
    }
}
