package dev.cordon.audit.tools;

import java.util.List;

/**
 * Result of {@link LogVerifier#verify}.
 *
 * @param ok                   every check passed
 * @param kind                 {@code null} when ok; else what is wrong: {@code modified-entry}, {@code deleted-entry},
 *                             {@code inserted-entry}, {@code reordered}, {@code broken-link}, {@code payload-mismatch},
 *                             {@code origin-duplicate}, {@code origin-gap} (chain, see {@code AuditVerifier}),
 *                             {@code signature} (a checkpoint signature does not verify under the trusted keys),
 *                             {@code truncated} (a checkpoint or the auditor's state covers entries the log no longer has),
 *                             {@code inconsistent-history} (entries do not give the root a checkpoint or the auditor's
 *                             state signed: history was rewritten), {@code tree-mismatch} (stored tree heads disagree with
 *                             the entries), {@code witnesses} (too few witness cosignatures)
 * @param firstBadEntry        seq of the first bad entry where one can be named, else {@code null}
 * @param problem              a sentence saying what is wrong; {@code null} when ok
 * @param entries              entries checked and found good
 * @param treeSize             size of the tree recomputed from the good entries (including {@code startSize})
 * @param rootHash             its root, lower-case hex
 * @param checkpointsVerified  checkpoints whose signature and root were verified
 * @param latestCheckpointSize largest verified checkpoint size (0 when none)
 * @param witnessedSize        largest checkpoint size with the required cosignatures ({@code null} when not required)
 * @param notes                remarks that are not failures (untrusted keys, unsigned tail, …)
 * @param stateCheck           when an auditor's state was given and checked: a sentence saying the log is consistent
 *                             with it (size, root, when it was verified); else {@code null}
 */
public record LogVerifyReport(boolean ok, String kind, Long firstBadEntry, String problem, long entries, long treeSize,
                              String rootHash, int checkpointsVerified, long latestCheckpointSize, Long witnessedSize,
                              List<String> notes, String stateCheck) {
}
