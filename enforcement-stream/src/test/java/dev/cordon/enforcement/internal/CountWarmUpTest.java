package dev.cordon.enforcement.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cordon.avro.Scope;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/**
 * The counting path ({@link ParallelCount#count}) over the warm-up's varied sessions agrees with a reference that
 * decodes each session whole and matches it with {@link ScopeMatcher#match}; the warm-up itself runs once per JVM.
 */
class CountWarmUpTest {

    /** Reference: full decode, ACTIVE only, {@link ScopeMatcher#match}; counted by resource, nationality and role. */
    private static ImpactTally reference(List<KeyValue<String, byte[]>> sessions, Scope scope) {
        ImpactTally t = new ImpactTally();
        for (KeyValue<String, byte[]> kv : sessions) {
            SessionState s = Enforcer.decode(kv.value);
            if (s.status() == SessionState.Status.ACTIVE && ScopeMatcher.match(scope, s.resource(), s.subject()).isPresent()) {
                t.covered(kv.key, s.resource(), s.subject(), 100);
            }
        }
        return t;
    }

    @Test
    void shouldCountWhatAFullDecodeCountsForEveryWarmUpScope() {
        List<KeyValue<String, byte[]>> sessions = CountWarmUp.sessions();
        for (Scope scope : CountWarmUp.scopes()) {
            ImpactTally expected = reference(sessions, scope);
            ImpactTally actual = ParallelCount.count(sessions.iterator(), scope, 100, new AtomicBoolean());
            assertThat(actual.covered).as("covered under %s", scope).isEqualTo(expected.covered);
            assertThat(actual.byResource).as("by resource under %s", scope).isEqualTo(expected.byResource);
            assertThat(actual.byNationality).as("by nationality under %s", scope).isEqualTo(expected.byNationality);
            assertThat(actual.byRole).as("by role under %s", scope).isEqualTo(expected.byRole);
            assertThat(actual.samples).as("samples under %s", scope).isEqualTo(expected.samples);
        }
    }

    @Test
    void shouldExerciseCoveredAndUncoveredSessionsOfEveryStatusAndSubjectShape() {
        List<KeyValue<String, byte[]>> sessions = CountWarmUp.sessions();
        Map<SessionState.Status, Integer> byStatus = new TreeMap<>();
        int noNationality = 0;
        int twoRoles = 0;
        int withAttributes = 0;
        for (KeyValue<String, byte[]> kv : sessions) {
            SessionState s = Enforcer.decode(kv.value);
            byStatus.merge(s.status(), 1, Integer::sum);
            noNationality += s.subject().getNationality().isEmpty() ? 1 : 0;
            twoRoles += s.subject().getRole().size() == 2 ? 1 : 0;
            withAttributes += s.subject().getAttributes().isEmpty() ? 0 : 1;
        }
        assertThat(byStatus).containsOnlyKeys(SessionState.Status.values());
        assertThat(List.of(noNationality, twoRoles, withAttributes)).allMatch(n -> n > 0 && n < sessions.size());
        List<Long> covered = CountWarmUp.scopes().stream()
                .map(scope -> ParallelCount.count(sessions.iterator(), scope, 100, new AtomicBoolean()).covered).toList();
        long active = byStatus.get(SessionState.Status.ACTIVE);
        assertThat(covered.get(1)).as("'*' for everyone: every ACTIVE session").isEqualTo(active);
        assertThat(covered.get(covered.size() - 1)).as("a resource no session has").isZero();
        List<Long> others = new java.util.ArrayList<>(covered.subList(0, covered.size() - 1));
        others.remove(1);
        assertThat(others).as("the conditional scopes: some ACTIVE sessions, not all").allMatch(n -> n > 0 && n < active);
    }

    @Test
    void shouldStopACancelledCount() {
        AtomicBoolean cancelled = new AtomicBoolean(true);
        assertThat(ParallelCount.count(CountWarmUp.sessions().iterator(), CountWarmUp.scopes().get(1), 100, cancelled)).isNull();
    }

    @Test
    void shouldRunTheWarmUpOncePerJvmAndCountEveryRound() throws Exception {
        List<KeyValue<String, byte[]>> sessions = CountWarmUp.sessions();
        long perRound = CountWarmUp.scopes().stream().mapToLong(scope -> reference(sessions, scope).covered).sum();
        assertThat(CountWarmUp.start().get(60, TimeUnit.SECONDS)).isEqualTo(perRound * CountWarmUp.ROUNDS);
        assertThat(CountWarmUp.start()).isSameAs(CountWarmUp.start());
        assertThat(CountWarmUp.run(2)).isEqualTo(perRound * 2);
        assertThatThrownBy(() -> CountWarmUp.run(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rounds");
    }
}
