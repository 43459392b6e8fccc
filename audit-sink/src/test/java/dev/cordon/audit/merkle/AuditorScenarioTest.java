package dev.cordon.audit.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md "Audit trail": an operator who rewrites history and re-signs it is caught by the consistency
 * check against the last checkpoint the auditor kept. Fixtures are named after the mutation applied to the
 * log's entries (STYLE.md 14).
 */
class AuditorScenarioTest {

    private static final String ORIGIN = "cordon.example/audit";
    private static final int SEEN = 40;
    private static final KeyPair LOG_KEYS = NoteKeys.generate();

    /** The operator's side: entries, stored nodes, and the signing key. */
    private static final class OperatorLog {
        final InMemoryNodeStore store = new InMemoryNodeStore();
        final CompactRange range = CompactRange.empty();
        final NoteSigner signer = NoteSigner.of(ORIGIN, LOG_KEYS);

        OperatorLog(List<String> entries) {
            entries.forEach(e -> store.putAll(range.append(Rfc6962Hasher.SHA256.hashLeaf(e.getBytes(StandardCharsets.UTF_8)))));
        }

        String signedCheckpoint() {
            return signer.signCheckpoint(Checkpoint.of(ORIGIN, range.size(), range.root())).format();
        }
    }

    private static List<String> entries(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("{\"seq\":" + i + ",\"type\":\"SESSION_CUT\"}");
        }
        return out;
    }

    /** What the auditor does with a new checkpoint and the operator's consistency proof. */
    private static ProofResult audit(Checkpoint kept, OperatorLog operator) {
        NoteVerifier logKey = NoteVerifier.ed25519(ORIGIN, LOG_KEYS.getPublic());
        Checkpoint latest = Checkpoint.parse(NoteVerifier.open(operator.signedCheckpoint(), List.of(logKey)).text());
        if (latest.size() < kept.size()) {
            return new ProofResult.InvalidArgument("size", "the log shrank from " + kept.size() + " to " + latest.size());
        }
        List<byte[]> proof = ProofBuilder.consistencyProof(kept.size(), latest.size(), operator.store);
        return ProofVerifier.verifyConsistency(kept.size(), latest.size(), proof, kept.rootHash(), latest.rootHash());
    }

    private static Checkpoint keptCheckpoint() {
        OperatorLog honestAtSeen = new OperatorLog(entries(SEEN));
        NoteVerifier logKey = NoteVerifier.ed25519(ORIGIN, LOG_KEYS.getPublic());
        return Checkpoint.parse(NoteVerifier.open(honestAtSeen.signedCheckpoint(), List.of(logKey)).text());
    }

    static Stream<Arguments> rewrites() {
        return Stream.of(
                rewrite("modified-entry@17", l -> { l.set(17, l.get(17).replace("SESSION_CUT", "SESSION_DENIED")); return l; }),
                rewrite("removed-entry@17", l -> { l.remove(17); return l; }),
                rewrite("inserted-entry@17", l -> { l.add(17, "{\"seq\":17,\"type\":\"FORGED\"}"); return l; }),
                rewrite("swapped-entries@17-18", l -> { String t = l.get(17); l.set(17, l.get(18)); l.set(18, t); return l; }),
                rewrite("modified-entry@39", l -> { l.set(39, l.get(39) + " "); return l; }),
                rewrite("truncated-after@30", l -> new ArrayList<>(l.subList(0, 30))),
                rewrite("truncated-after@30-then-regrown", l -> {
                    List<String> out = new ArrayList<>(l.subList(0, 30));
                    for (int i = 30; i < 64; i++) {
                        out.add("{\"seq\":" + i + ",\"type\":\"REWRITTEN\"}");
                    }
                    return out;
                }));
    }

    private static Arguments rewrite(String name, UnaryOperator<List<String>> mutation) {
        return Arguments.of(name, mutation);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rewrites")
    void shouldCatchAnOperatorWhoRewritesHistoryAndReSignsIt(String name, UnaryOperator<List<String>> mutation) {
        // Given the auditor kept the signed checkpoint at size 40, and the operator rewrote history
        Checkpoint kept = keptCheckpoint();
        OperatorLog rewritten = new OperatorLog(mutation.apply(entries(64)));

        // When the auditor checks the operator's newly signed checkpoint (its signature is genuine)
        ProofResult result = audit(kept, rewritten);

        // Then
        assertThat(result.isValid()).as(name).isFalse();
        assertThat(result).as(name).isInstanceOfAny(ProofResult.RootMismatch.class, ProofResult.InvalidArgument.class);
    }

    @Test
    void shouldAcceptAnHonestLogThatOnlyAppended() {
        // Given
        Checkpoint kept = keptCheckpoint();
        OperatorLog honest = new OperatorLog(entries(64));

        // When
        ProofResult result = audit(kept, honest);

        // Then
        assertThat(result).isEqualTo(new ProofResult.Valid());
    }

    @Test
    void shouldProveAnEntryIsInTheSignedCheckpointAndNameAModifiedOne() {
        // Given an honest log, its signed checkpoint and entry 17
        OperatorLog log = new OperatorLog(entries(64));
        Checkpoint cp = Checkpoint.parse(NoteVerifier.open(log.signedCheckpoint(),
                List.of(NoteVerifier.ed25519(ORIGIN, LOG_KEYS.getPublic()))).text());
        List<byte[]> proof = ProofBuilder.inclusionProof(17, cp.size(), log.store);
        byte[] entry17 = entries(64).get(17).getBytes(StandardCharsets.UTF_8);

        // When
        ProofResult genuine = ProofVerifier.verifyInclusion(17, cp.size(), Rfc6962Hasher.SHA256.hashLeaf(entry17), proof, cp.rootHash());
        byte[] altered = "{\"seq\":17,\"type\":\"SESSION_DENIED\"}".getBytes(StandardCharsets.UTF_8);
        ProofResult modified = ProofVerifier.verifyInclusion(17, cp.size(), Rfc6962Hasher.SHA256.hashLeaf(altered), proof, cp.rootHash());

        // Then
        assertThat(genuine.isValid()).isTrue();
        assertThat(modified).isInstanceOf(ProofResult.RootMismatch.class);
    }
}
