package dev.cordon.audit.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.AuditEntry;
import dev.cordon.audit.EntryHasher;
import dev.cordon.audit.SignedCheckpoint;
import dev.cordon.audit.TreeLeaf;
import dev.cordon.audit.merkle.Checkpoint;
import dev.cordon.audit.merkle.NoteVerificationException;
import dev.cordon.audit.merkle.NoteVerifier;
import dev.cordon.audit.merkle.ProofBuilder;
import dev.cordon.audit.merkle.ProofResult;
import dev.cordon.audit.merkle.ProofVerifier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code cordon audit prove} and {@code verify-proof}: RFC 9162 inclusion and consistency proofs built from the
 * stored tree nodes ({@code audit_tree_nodes}, never the entries), packaged with the signed checkpoint(s) into a
 * JSON proof file that {@link #verify} checks with only that file (the entry is in it, or given separately) and
 * the log's public key.
 *
 * <pre>
 * inclusion:   {"kind":"cordon-inclusion-proof","leafIndex":n-1,"treeSize":s,"proof":[base64…],
 *               "checkpoint":"…signed note…","entry":{…EntryJson…}}
 * consistency: {"kind":"cordon-consistency-proof","size1":a,"size2":b,"proof":[base64…],
 *               "checkpoint1":"…","checkpoint2":"…"}
 * </pre>
 */
public final class Proofs {
    public static final String INCLUSION = "cordon-inclusion-proof";
    public static final String CONSISTENCY = "cordon-consistency-proof";

    private Proofs() {
    }

    /**
     * An inclusion proof of entry {@code seq} against the newest checkpoint (which must cover it).
     *
     * @throws IllegalArgumentException if the entry does not exist or no checkpoint covers it yet
     */
    public static ObjectNode proveInclusion(DatabaseTrail db, long seq) {
        AuditEntry e = db.entry(seq);
        if (e == null) {
            throw new IllegalArgumentException("--entry: entry " + seq + " does not exist (the log has " + db.lastSeq()
                    + " entries)");
        }
        List<SignedCheckpoint> cps = db.checkpoints();
        SignedCheckpoint cp = cps.isEmpty() ? null : cps.get(cps.size() - 1);
        if (cp == null || cp.treeSize() < seq) {
            throw new IllegalArgumentException("--entry: entry " + seq + " is not covered by a signed checkpoint yet"
                    + (cp == null ? "" : " (newest covers " + cp.treeSize() + " entries)") + "; retry after the next checkpoint");
        }
        return inclusionProof(db, e, cp);
    }

    /** An inclusion proof of {@code e} against {@code cp}. */
    public static ObjectNode inclusionProof(DatabaseTrail db, AuditEntry e, SignedCheckpoint cp) {
        List<byte[]> proof = ProofBuilder.inclusionProof(TreeLeaf.index(e.seq()), cp.treeSize(), db.nodes());
        ObjectNode n = EntryJson.JSON.createObjectNode();
        n.put("kind", INCLUSION);
        n.put("leafIndex", TreeLeaf.index(e.seq()));
        n.put("treeSize", cp.treeSize());
        hashes(n.putArray("proof"), proof);
        n.put("checkpoint", cp.note());
        n.set("entry", EntryJson.toJson(e, true));
        return n;
    }

    /**
     * A consistency proof between the checkpoints of sizes {@code size1 <= size2}.
     *
     * @throws IllegalArgumentException if no checkpoint has one of the sizes (the message lists the sizes there are)
     */
    public static ObjectNode proveConsistency(DatabaseTrail db, long size1, long size2) {
        if (size1 > size2) {
            throw new IllegalArgumentException("--consistency: A (" + size1 + ") must not exceed B (" + size2 + ")");
        }
        SignedCheckpoint a = checkpointOfSize(db, size1);
        SignedCheckpoint b = checkpointOfSize(db, size2);
        List<byte[]> proof = ProofBuilder.consistencyProof(size1, size2, db.nodes());
        ObjectNode n = EntryJson.JSON.createObjectNode();
        n.put("kind", CONSISTENCY);
        n.put("size1", size1);
        n.put("size2", size2);
        hashes(n.putArray("proof"), proof);
        n.put("checkpoint1", a.note());
        n.put("checkpoint2", b.note());
        return n;
    }

    private static SignedCheckpoint checkpointOfSize(DatabaseTrail db, long size) {
        SignedCheckpoint found = null;
        List<Long> sizes = new ArrayList<>();
        for (SignedCheckpoint cp : db.checkpoints()) {
            sizes.add(cp.treeSize());
            if (cp.treeSize() == size) {
                found = cp;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("--consistency: no signed checkpoint has size " + size
                    + "; checkpoint sizes: " + sizes);
        }
        return found;
    }

    /**
     * Result of {@link #verify}.
     *
     * @param ok      the proof holds
     * @param message what was proven, or what is wrong
     */
    public record Check(boolean ok, String message) {
    }

    /**
     * Verifies a proof file with the trusted verifier keys only.
     *
     * @param proofJson  the proof file's text
     * @param entryJson  the entry as JSON ({@link EntryJson}) for an inclusion proof, or {@code null} to use the one
     *                   in the proof file
     * @param trustedKeys verifier keys
     * @return the check
     * @throws IllegalArgumentException if the file is not a proof file
     */
    public static Check verify(String proofJson, String entryJson, List<String> trustedKeys) {
        JsonNode n;
        try {
            n = EntryJson.JSON.readTree(proofJson);
        } catch (IOException e) {
            throw new IllegalArgumentException("proof file: not JSON: " + e.getMessage(), e);
        }
        List<NoteVerifier> keys = new ArrayList<>();
        trustedKeys.forEach(k -> keys.add(NoteVerifier.fromVerifierKey(k.strip())));
        String kind = n.path("kind").asText();
        try {
            if (INCLUSION.equals(kind)) {
                Checkpoint cp = open(n.path("checkpoint").asText(), keys, "checkpoint");
                JsonNode ej;
                try {
                    ej = entryJson == null ? n.get("entry") : EntryJson.JSON.readTree(entryJson);
                } catch (IOException e) {
                    throw new IllegalArgumentException("entry: not JSON: " + e.getMessage(), e);
                }
                if (ej == null) {
                    return new Check(false, "no entry: give --entry-file or use a proof file with an entry");
                }
                AuditEntry e = EntryJson.fromJson(ej);
                long index = n.path("leafIndex").asLong();
                long size = n.path("treeSize").asLong();
                if (index != TreeLeaf.index(e.seq())) {
                    return new Check(false, "leafIndex " + index + " is not the index of entry " + e.seq());
                }
                if (size != cp.size()) {
                    return new Check(false, "treeSize " + size + " differs from the checkpoint's size " + cp.size());
                }
                ProofResult r = ProofVerifier.verifyInclusion(index, size, TreeLeaf.leafHash(e), hashes(n.path("proof")),
                        cp.rootHash());
                if (r instanceof ProofResult.Failure f) {
                    return new Check(false, "inclusion proof of entry " + e.seq() + " fails: " + f.message()
                            + " (the entry, its prevHash or the proof was altered)");
                }
                return new Check(true, "entry " + e.seq() + " (" + e.eventType() + ", hash "
                        + EntryHasher.hex(EntryHasher.hash(e)) + ") is in the log " + cp.origin() + " of size "
                        + cp.size() + " signed by " + String.join(", ", signers(n.path("checkpoint").asText(), keys)));
            }
            if (CONSISTENCY.equals(kind)) {
                Checkpoint a = open(n.path("checkpoint1").asText(), keys, "checkpoint1");
                Checkpoint b = open(n.path("checkpoint2").asText(), keys, "checkpoint2");
                if (!a.origin().equals(b.origin())) {
                    return new Check(false, "the checkpoints are of different logs: " + a.origin() + " / " + b.origin());
                }
                if (a.size() != n.path("size1").asLong() || b.size() != n.path("size2").asLong()) {
                    return new Check(false, "size1/size2 differ from the checkpoints' sizes " + a.size() + "/" + b.size());
                }
                ProofResult r = ProofVerifier.verifyConsistency(a.size(), b.size(), hashes(n.path("proof")),
                        a.rootHash(), b.rootHash());
                if (r instanceof ProofResult.Failure f) {
                    return new Check(false, "consistency proof " + a.size() + " -> " + b.size() + " fails: " + f.message()
                            + " (the log of size " + b.size() + " does not extend the one of size " + a.size() + ")");
                }
                return new Check(true, "the log " + a.origin() + " of size " + b.size()
                        + " is an append-only extension of its checkpoint of size " + a.size());
            }
        } catch (NoteVerificationException e) {
            return new Check(false, "signature: " + e.getMessage());
        }
        throw new IllegalArgumentException("proof file: kind '" + kind + "' is neither " + INCLUSION + " nor " + CONSISTENCY);
    }

    private static Checkpoint open(String note, List<NoteVerifier> keys, String field) {
        if (note == null || note.isEmpty()) {
            throw new IllegalArgumentException("proof file: member '" + field + "' (a signed checkpoint) is missing");
        }
        return Checkpoint.parse(NoteVerifier.open(note, keys).text());
    }

    private static List<String> signers(String note, List<NoteVerifier> keys) {
        List<String> names = new ArrayList<>();
        NoteVerifier.open(note, keys).verified().forEach(s -> names.add(s.keyName()));
        return names;
    }

    private static void hashes(ArrayNode arr, List<byte[]> proof) {
        proof.forEach(h -> arr.add(Base64.getEncoder().encodeToString(h)));
    }

    private static List<byte[]> hashes(JsonNode arr) {
        List<byte[]> out = new ArrayList<>();
        arr.forEach(x -> out.add(Base64.getDecoder().decode(x.asText())));
        return out;
    }
}
