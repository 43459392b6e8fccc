package dev.cordon.audit.tools;

import dev.cordon.audit.AuditVerifier;
import dev.cordon.audit.EntryHasher;
import dev.cordon.audit.SignedCheckpoint;
import dev.cordon.audit.TreeLeaf;
import dev.cordon.audit.VerifyReport;
import dev.cordon.audit.internal.TreeStore;
import dev.cordon.audit.merkle.Checkpoint;
import dev.cordon.audit.merkle.CompactRange;
import dev.cordon.audit.merkle.NoteSignature;
import dev.cordon.audit.merkle.NoteVerificationException;
import dev.cordon.audit.merkle.NoteVerifier;
import dev.cordon.audit.merkle.VerifiedNote;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * {@code cordon audit verify}: checks a trail (database or export bundle) without trusting the operator
 * (DESIGN.md "Audit trail"; RFC 9162 §8.1 auditing; c2sp.org/tlog-checkpoint).
 *
 * <ol>
 *   <li>every checkpoint's signature under the trusted verifier keys (all keys, so rotated-out keys keep old
 *       checkpoints verifiable), one origin, sizes never decreasing;</li>
 *   <li>one streaming pass over the entries: the hash chain ({@link AuditVerifier#verifyChain}), and the RFC 6962
 *       tree recomputed from the entries ({@link TreeLeaf}); at each checkpoint size the recomputed root must be the
 *       signed root, at the auditor's state size the root the auditor verified before, and (database) each stored
 *       tree head must match;</li>
 *   <li>no checkpoint, and not the auditor's state, may cover more entries than the log has (truncation);</li>
 *   <li>optionally, at least N witness cosignatures (c2sp.org/tlog-cosignature) on some checkpoint;</li>
 *   <li>when all passed, the newest checkpoint becomes the auditor's state ({@code --state FILE}).</li>
 * </ol>
 * Memory is constant in the number of entries (apart from per-origin bookkeeping). The first failure is reported.
 */
public final class LogVerifier {

    /**
     * @param trustedKeys      verifier keys ({@code name+id+base64}) the auditor obtained independently; empty = use
     *                         the keys the source publishes (noted in the report)
     * @param stateFile        the auditor's state file, or {@code null}
     * @param updateState      write the newest verified checkpoint to {@code stateFile} when everything passed
     * @param requireWitnesses cosignatures required (0 = none)
     * @param witnessKeys      witness verifier keys (type 0x04)
     * @param progress         called with entries checked so far
     */
    public record Options(List<String> trustedKeys, Path stateFile, boolean updateState, int requireWitnesses,
                          List<String> witnessKeys, LongConsumer progress) {
        public Options {
            trustedKeys = List.copyOf(trustedKeys);
            witnessKeys = List.copyOf(witnessKeys);
            Objects.requireNonNull(progress, "progress");
        }

        /** @return options trusting {@code keys}, no state, no witnesses */
        public static Options trusting(List<String> keys) {
            return new Options(keys, null, false, 0, List.of(), n -> { });
        }

        public Options withState(Path file, boolean update) {
            return new Options(trustedKeys, file, update, requireWitnesses, witnessKeys, progress);
        }

        public Options withWitnesses(int n, List<String> keys) {
            return new Options(trustedKeys, stateFile, updateState, n, keys, progress);
        }

        public Options withProgress(LongConsumer p) {
            return new Options(trustedKeys, stateFile, updateState, requireWitnesses, witnessKeys, p);
        }
    }

    private LogVerifier() {
    }

    private static final class Stop extends RuntimeException {
        final String kind;
        final Long entry;

        Stop(String kind, Long entry, String message) {
            super(message, null, false, false);
            this.kind = kind;
            this.entry = entry;
        }
    }

    /**
     * @param source  the trail; closed by the caller
     * @param options what to trust and where the auditor's state is
     * @return the report (never throws for a bad log; a bad log is a report with {@code ok=false})
     * @throws IllegalArgumentException if a given key is malformed
     */
    public static LogVerifyReport verify(TrailSource source, Options options) {
        List<String> notes = new ArrayList<>();
        List<String> keyTexts = options.trustedKeys();
        if (keyTexts.isEmpty()) {
            keyTexts = source.verifierKeys();
            notes.add("no --public-key given: signatures were checked against the " + keyTexts.size()
                    + " key(s) published in the " + source.description()
                    + " itself; pass the verifier key you obtained independently");
        }
        List<NoteVerifier> verifiers = new ArrayList<>();
        for (String k : keyTexts) {
            verifiers.add(NoteVerifier.fromVerifierKey(k.strip()));
        }
        AuditorState state = AuditorState.load(options.stateFile());
        long start = source.startSize();
        CompactRange tree = source.startRange();
        Counter counter = new Counter();
        try {
            // 1. signatures
            TreeMap<Long, List<SignedCheckpoint>> bySize = new TreeMap<>();
            String origin = state == null ? null : state.origin();
            long prevSize = -1;
            SignedCheckpoint prev = null;
            for (SignedCheckpoint cp : source.checkpoints()) {
                VerifiedNote v;
                try {
                    v = NoteVerifier.open(cp.note(), verifiers);
                } catch (NoteVerificationException e) {
                    throw new Stop("signature", null, "checkpoint " + cp.number() + " (size " + cp.treeSize() + "): "
                            + e.getMessage() + (e.reason() == NoteVerificationException.Reason.NO_KNOWN_SIGNATURE
                            ? " (signed by " + cp.keyName() + "; trusted: " + keyNames(verifiers) + ")" : ""));
                }
                Checkpoint c = Checkpoint.parse(v.text());
                if (origin == null) {
                    origin = c.origin();
                } else if (!origin.equals(c.origin())) {
                    throw new Stop("signature", null, "checkpoint " + cp.number() + " names origin '" + c.origin()
                            + "', expected '" + origin + "' (another log's checkpoint)");
                }
                if (c.size() != cp.treeSize() || !Arrays.equals(c.rootHash(), cp.rootHash())) {
                    throw new Stop("signature", null, "checkpoint " + cp.number()
                            + ": its stored size/root columns differ from the signed note");
                }
                if (c.size() < prevSize) {
                    throw new Stop("inconsistent-history", null, "checkpoint " + cp.number() + " (size " + c.size()
                            + ") is smaller than checkpoint " + prev.number() + " (size " + prevSize + "): the log shrank");
                }
                prevSize = c.size();
                prev = cp;
                bySize.computeIfAbsent(c.size(), k -> new ArrayList<>()).add(cp);
            }
            Map<Long, byte[]> stored = source.storedTreeRoots();
            // 2. one pass: chain + tree
            checkTreeAt(tree, bySize, state, stored, counter);
            VerifyReport chain = AuditVerifier.verifyChain(source.entries(), start, source.startEntryHash(), start == 0,
                    e -> {
                        tree.append(TreeLeaf.leafHashOf(e.entryHash()));
                        checkTreeAt(tree, bySize, state, stored, counter);
                    }, options.progress());
            if (!chain.ok()) {
                String p = chain.problem();
                int colon = p.indexOf(':');
                // AuditVerifier's problem reads "<kind>: <sentence>"; the report prefixes the kind once itself
                throw new Stop(colon > 0 ? p.substring(0, colon) : "chain", chain.firstBadSequence(),
                        colon > 0 ? p.substring(colon + 1).strip() : p);
            }
            long last = start + chain.entries();
            // 3. truncation
            if (!bySize.isEmpty() && bySize.lastKey() > last) {
                SignedCheckpoint cp = bySize.lastEntry().getValue().get(0);
                throw new Stop("truncated", last + 1, "checkpoint " + cp.number() + " signs " + cp.treeSize()
                        + " entries but the log ends at entry " + last + ": entries " + (last + 1) + ".." + cp.treeSize()
                        + " were removed after they were signed");
            }
            String stateCheck = null;
            if (state != null && state.treeSize() > last && !source.isLiveLog()) {
                notes.add("your state (size " + state.treeSize() + ") lies beyond the end of this " + source.description()
                        + " (entry " + last + "): an export ends where it was taken; consistency with your state was not"
                        + " checked (verify the live log, or an export that reaches size " + state.treeSize() + ")");
            } else if (state != null && state.treeSize() > last) {
                throw new Stop("truncated", last + 1, "you verified a checkpoint of " + state.treeSize() + " entries on "
                        + Instant.ofEpochMilli(state.verifiedAt()) + " but the log ends at entry " + last + ": entries "
                        + (last + 1) + ".." + state.treeSize() + " were removed");
            }
            if (state != null && state.treeSize() >= start && state.treeSize() <= last) {
                stateCheck = "consistent with the checkpoint you verified on " + Instant.ofEpochMilli(state.verifiedAt())
                        + " (size " + state.treeSize() + ", root " + EntryHasher.hex(state.rootHash())
                        + "): entries 1.." + state.treeSize() + " are unchanged";
            }
            if (state != null && state.treeSize() < start) {
                notes.add("your state (size " + state.treeSize() + ") precedes this bundle (it starts after entry " + start
                        + "): consistency with it was not checked");
            }
            long latest = bySize.isEmpty() ? 0 : bySize.lastKey();
            if (bySize.isEmpty()) {
                notes.add("no signed checkpoint covers these entries" + (start > 0 ? " (the bundle's start is not authenticated)" : ""));
            } else if (last > latest) {
                notes.add((last - latest) + " entr" + (last - latest == 1 ? "y" : "ies") + " after the last checkpoint (size "
                        + latest + ") are not signed yet");
            }
            // 4. witnesses
            Long witnessed = null;
            if (options.requireWitnesses() > 0) {
                witnessed = witnessedSize(source, bySize, options);
            }
            String rootHex = EntryHasher.hex(tree.root());
            // 5. state
            if (options.updateState() && options.stateFile() != null && !bySize.isEmpty()
                    && (state == null || latest >= state.treeSize())) {
                List<SignedCheckpoint> newest = bySize.lastEntry().getValue();
                AuditorState.of(newest.get(newest.size() - 1).note(), System.currentTimeMillis()).save(options.stateFile());
            }
            return new LogVerifyReport(true, null, null, null, chain.entries(), tree.size(), rootHex, counter.verified,
                    latest, witnessed, notes, stateCheck);
        } catch (Stop s) {
            return new LogVerifyReport(false, s.kind, s.entry, s.kind + ": " + s.getMessage(), Math.max(0, tree.size() - start),
                    tree.size(), EntryHasher.hex(tree.root()), counter.verified, 0, null, notes, null);
        }
    }

    private static final class Counter {
        int verified;
    }

    private static void checkTreeAt(CompactRange tree, TreeMap<Long, List<SignedCheckpoint>> bySize, AuditorState state,
                                    Map<Long, byte[]> stored, Counter counter) {
        long size = tree.size();
        List<SignedCheckpoint> cps = bySize.get(size);
        boolean atState = state != null && state.treeSize() == size;
        byte[] storedRoot = stored.get(size);
        if (cps == null && !atState && storedRoot == null) {
            return;
        }
        byte[] root = tree.root();
        if (cps != null) {
            for (SignedCheckpoint cp : cps) {
                if (!Arrays.equals(root, cp.rootHash())) {
                    throw new Stop("inconsistent-history", null, "entries 1.." + size + " give root " + EntryHasher.hex(root)
                            + " but checkpoint " + cp.number() + " signed " + EntryHasher.hex(cp.rootHash())
                            + " for that size: history up to entry " + size + " was rewritten after it was signed");
                }
                counter.verified++;
            }
        }
        if (atState && !Arrays.equals(root, state.rootHash())) {
            throw new Stop("inconsistent-history", null, "entries 1.." + size + " give root " + EntryHasher.hex(root)
                    + " but the checkpoint of that size you verified on " + Instant.ofEpochMilli(state.verifiedAt())
                    + " had root " + EntryHasher.hex(state.rootHash())
                    + ": the operator rewrote history up to entry " + size + " (some entry in 1.." + size
                    + " differs from what you verified) and re-signed it; keep the export you verified to find which");
        }
        if (storedRoot != null && !Arrays.equals(root, storedRoot)) {
            throw new Stop("tree-mismatch", null, "audit_tree_heads stores root " + EntryHasher.hex(storedRoot)
                    + " for size " + size + " but the entries give " + EntryHasher.hex(root)
                    + ": the stored tree (which serves proofs) was altered");
        }
    }

    private static Long witnessedSize(TrailSource source, TreeMap<Long, List<SignedCheckpoint>> bySize, Options o) {
        List<NoteVerifier> witnesses = new ArrayList<>();
        for (String k : o.witnessKeys()) {
            witnesses.add(NoteVerifier.fromVerifierKey(k.strip()));
        }
        int best = 0;
        for (Long size : bySize.descendingKeySet()) {
            SignedCheckpoint cp = bySize.get(size).get(0);
            String text = dev.cordon.audit.merkle.SignedNote.parse(cp.note()).text();
            Set<String> good = new HashSet<>();
            for (TreeStore.CosignatureRow row : source.cosignatures()) {
                if (row.treeSize() != size || !Arrays.equals(row.rootHash(), cp.rootHash())) {
                    continue;
                }
                NoteSignature sig;
                try {
                    sig = NoteSignature.parseLine(row.signatureLine());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                for (NoteVerifier w : witnesses) {
                    if (w.matches(sig) && w.verify(text, sig)) {
                        good.add(w.keyName());
                    }
                }
            }
            if (good.size() >= o.requireWitnesses()) {
                return size;
            }
            best = Math.max(best, good.size());
        }
        throw new Stop("witnesses", null, "no checkpoint carries " + o.requireWitnesses()
                + " valid cosignatures from the given witness keys (best: " + best + ")");
    }

    private static String keyNames(List<NoteVerifier> vs) {
        List<String> names = new ArrayList<>();
        vs.forEach(v -> names.add(v.keyName() + "+" + String.format("%08x", v.keyId())));
        return names.toString();
    }
}
