package dev.cordon.audit;

/**
 * Result of {@link AuditVerifier#verify}.
 *
 * @param ok               {@code true} when every check passed
 * @param entries          entries checked and found good (all entries when {@code ok}; the good
 *                         prefix before {@code firstBadSequence} otherwise)
 * @param headHash         lower-case hex SHA-256 of the last good entry — the chain head when {@code ok}
 *                         (64 zeros for an empty trail)
 * @param firstBadSequence seq of the first bad entry (for a deletion: the missing seq), {@code null} when ok
 * @param problem          what is wrong, starting with a kind — {@code modified-entry}, {@code deleted-entry},
 *                         {@code inserted-entry}, {@code reordered}, {@code broken-link},
 *                         {@code payload-mismatch}, {@code origin-duplicate}, {@code origin-gap} — then details;
 *                         {@code null} when ok
 */
public record VerifyReport(boolean ok, long entries, String headHash, Long firstBadSequence, String problem) {
}
