/**
 * A pure-JDK transparency-log toolkit for the Cordon audit trail (DESIGN.md "Audit trail"):
 * an RFC 6962 / RFC 9162 Merkle tree maintained incrementally, proofs built from stored nodes,
 * pure proof verifiers, and C2SP checkpoints in the signed-note format with Ed25519 signatures
 * and witness cosignatures.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link dev.cordon.audit.merkle.Rfc6962Hasher} — the four-method hasher (RFC 6962 §2.1, RFC 9162 §2.1.1).</li>
 *   <li>{@link dev.cordon.audit.merkle.CompactRange} — the incremental root over leaves {@code [0, n)};
 *       it reports every perfect-subtree node it creates, which the caller stores in a
 *       {@link dev.cordon.audit.merkle.NodeStore}.</li>
 *   <li>{@link dev.cordon.audit.merkle.ProofBuilder} — inclusion and consistency proofs (RFC 9162 §2.1.3.1,
 *       §2.1.4.1) computed from stored nodes only.</li>
 *   <li>{@link dev.cordon.audit.merkle.ProofVerifier} — pure verifiers (RFC 9162 §2.1.3.2, §2.1.4.2)
 *       returning a typed {@link dev.cordon.audit.merkle.ProofResult}.</li>
 *   <li>{@link dev.cordon.audit.merkle.Checkpoint}, {@link dev.cordon.audit.merkle.SignedNote},
 *       {@link dev.cordon.audit.merkle.NoteSigner}, {@link dev.cordon.audit.merkle.NoteVerifier},
 *       {@link dev.cordon.audit.merkle.Cosignature}, {@link dev.cordon.audit.merkle.NoteKeys} —
 *       c2sp.org/tlog-checkpoint, c2sp.org/signed-note, c2sp.org/tlog-cosignature.</li>
 * </ul>
 *
 * <p>Modelled on transparency-dev/merkle (packages {@code rfc6962}, {@code compact}, {@code proof}) and
 * transparency-dev/formats ({@code log}, {@code note}); independent Java code. Only the JDK is used
 * ({@code SHA-256} and {@code Ed25519} from {@code java.security}).
 */
package dev.cordon.audit.merkle;
