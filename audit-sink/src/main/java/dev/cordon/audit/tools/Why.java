package dev.cordon.audit.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.AuditEntry;
import dev.cordon.audit.SignedCheckpoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code cordon audit why SESSION}: every entry about one session (lifecycle, commands with the directive revision,
 * matching condition group and legal basis), the directive entries of the revisions its commands name (accepted by
 * ingest / received by enforcement, up to the session's last event), and for each entry an inclusion proof against
 * the newest checkpoint ({@link Proofs} format), so the explanation is itself verifiable with {@code verify-proof}.
 */
public final class Why {
    private Why() {
    }

    /**
     * @param db        the log
     * @param sessionId the session
     * @return the explanation as JSON; {@code found=false} when the log has no entry about the session
     */
    public static ObjectNode explain(DatabaseTrail db, String sessionId) {
        List<AuditEntry> own = db.sessionEntries(sessionId);
        ObjectNode n = EntryJson.JSON.createObjectNode();
        n.put("sessionId", sessionId);
        n.put("found", !own.isEmpty());
        List<SignedCheckpoint> cps = db.checkpoints();
        SignedCheckpoint newest = cps.isEmpty() ? null : cps.get(cps.size() - 1);
        ArrayNode commands = n.putArray("commands");
        Set<String> named = new LinkedHashSet<>();
        long lastOccurred = 0;
        String status = "UNKNOWN";
        for (AuditEntry e : own) {
            EventView v = EventView.of(e);
            if (v == null) {
                continue;
            }
            lastOccurred = Math.max(lastOccurred, v.occurredAtMs());
            switch (v.type()) {
                case "SESSION_STARTED" -> status = status.equals("CUT") || status.equals("DENIED") ? status : "ACTIVE";
                case "SESSION_REVOKED", "SESSION_REREVOKED" -> status = "CUT";
                case "SESSION_DENIED" -> status = "DENIED";
                case "SESSION_ENDED" -> status = status.equals("CUT") || status.equals("DENIED") ? status + ",ENDED" : "ENDED";
                default -> {
                }
            }
            if (v.commandId() != null) {
                ObjectNode c = commands.addObject();
                c.put("entry", e.seq());
                c.put("type", v.type());
                c.put("kind", v.details().get("kind"));
                c.put("attempt", v.details().get("attempt"));
                c.put("commandId", v.commandId());
                c.put("directiveId", v.directiveId());
                c.put("revision", v.directiveRevision());
                c.put("matched", v.details().get("matched"));
                c.put("legalBasis", v.details().get("legalBasis"));
                c.put("issuedAt", Instant.ofEpochMilli(v.occurredAtMs()).toString());
                c.put("via", v.details().get("via"));
                named.add(v.directiveId());
            }
        }
        n.put("status", status);
        ArrayNode revisions = n.putArray("directiveRevisions");
        List<AuditEntry> directiveEntries = new ArrayList<>();
        for (String id : named) {
            for (AuditEntry e : db.directiveEntries(id)) {
                EventView v = EventView.of(e);
                if (v == null || !v.type().equals("DIRECTIVE_ACCEPTED") || v.occurredAtMs() > lastOccurred) {
                    continue;
                }
                directiveEntries.add(e);
                ObjectNode r = revisions.addObject();
                r.put("entry", e.seq());
                r.put("directiveId", id);
                r.put("revision", v.directiveRevision());
                r.put("action", v.details().get("action"));
                r.put("mode", v.details().get("mode"));
                r.put("issuer", v.details().get("issuer"));
                r.put("legalBasis", v.details().get("legalBasis"));
                r.put("principal", v.details().get("principal"));
                r.put("effectiveFrom", v.details().get("effectiveFrom"));
                r.put("acceptedAt", Instant.ofEpochMilli(v.occurredAtMs()).toString());
            }
        }
        ArrayNode proofs = n.putArray("entries");
        List<AuditEntry> all = new ArrayList<>(own);
        all.addAll(directiveEntries);
        all.sort(java.util.Comparator.comparingLong(AuditEntry::seq));
        for (AuditEntry e : all) {
            if (newest != null && newest.treeSize() >= e.seq()) {
                proofs.add(Proofs.inclusionProof(db, e, newest));
            } else {
                ObjectNode o = proofs.addObject();
                o.put("kind", "unproven");
                o.put("reason", "entry " + e.seq() + " is not covered by a signed checkpoint yet");
                o.set("entry", EntryJson.toJson(e, true));
            }
        }
        return n;
    }
}
