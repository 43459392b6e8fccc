package dev.cordon.audit.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.AuditEntry;
import dev.cordon.audit.SignedCheckpoint;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code cordon audit why SESSION}: for one session, from the log alone —
 * <ul>
 *   <li>its lifecycle and every command issued for it (kind, attempt, directive revision, matched group, legal
 *       basis) from enforcement-stream's {@code SESSION_*} events;</li>
 *   <li>every directive revision that covered it while it lived: the revisions accepted by directive-ingest
 *       ({@code DIRECTIVE_ACCEPTED}, whose {@code document} detail is the normalised directive) in force at some
 *       time between the session's first and last event, whose scope covers it ({@link DirectiveScope#coverage}:
 *       established by a command of that revision, by an empty {@code subjects} list on its resource, or by a
 *       group identical to one that matched it; {@code UNDETERMINED} when the scope needs subject attributes the
 *       log does not record), with the index of the matching {@code scope.subjects} group;</li>
 *   <li>each of those entries with an RFC 9162 inclusion proof against the newest checkpoint ({@link Proofs}
 *       format), so the explanation is itself checkable with {@code verify-proof}.</li>
 * </ul>
 * Revision windows: a revision is in force from {@code max(acceptance, effectiveFrom)} until the earliest of its
 * {@code effectiveUntil} and the acceptance of the next higher revision of the directive (DESIGN.md "Directive
 * lifecycle"); {@code DRY_RUN} and {@code LIFT} revisions never cover anything.
 */
public final class Why {
    private Why() {
    }

    /** A revision of a directive as accepted, with its in-force window (epoch ms; until exclusive). */
    private record Revision(AuditEntry entry, EventView view, int revision, long from, long until, DirectiveScope scope) {
    }

    /**
     * @param db        the log
     * @param sessionId the session
     * @return the explanation as JSON ({@code sessionId, found, status, resource, userId, firstSeen, lastSeen,
     *         commands[], directiveRevisions[], entries[]}); {@code found=false} when the log has no entry about it
     */
    public static ObjectNode explain(DatabaseTrail db, String sessionId) {
        List<AuditEntry> own = db.sessionEntries(sessionId);
        ObjectNode n = EntryJson.JSON.createObjectNode();
        n.put("sessionId", sessionId);
        n.put("found", !own.isEmpty());
        List<SignedCheckpoint> cps = db.checkpoints();
        SignedCheckpoint newest = cps.isEmpty() ? null : cps.get(cps.size() - 1);
        ArrayNode commands = EntryJson.JSON.createArrayNode();
        Map<String, String> commandMatched = new HashMap<>(); // "D#r" -> matched
        Map<String, List<Long>> commandEntries = new HashMap<>();
        Set<String> named = new LinkedHashSet<>();
        Set<String> heldGroups = new LinkedHashSet<>();
        long firstSeen = Long.MAX_VALUE;
        long lastSeen = Long.MIN_VALUE;
        Long endedAt = null;
        Long cutAt = null;
        String cutWord = "cut";
        String status = "UNKNOWN";
        String resource = null;
        String userId = null;
        Integer partition = null;
        for (AuditEntry e : own) {
            EventView v = EventView.of(e);
            if (v == null) {
                continue;
            }
            firstSeen = Math.min(firstSeen, v.occurredAtMs());
            if (partition == null && "enforcement-stream".equals(v.component()) && e.originPartition() != null) {
                partition = e.originPartition();
            }
            lastSeen = Math.max(lastSeen, v.occurredAtMs());
            if (resource == null && v.details().get("resource") != null) {
                resource = v.details().get("resource");
            }
            if (userId == null && v.details().get("userId") != null) {
                userId = v.details().get("userId");
            }
            switch (v.type()) {
                case "SESSION_STARTED" -> status = status.equals("CUT") || status.equals("DENIED") ? status : "ACTIVE";
                case "SESSION_REVOKED", "SESSION_REREVOKED", "SESSION_DENIED" -> {
                    status = v.type().equals("SESSION_DENIED") ? "DENIED" : "CUT";
                    if (cutAt == null) {
                        cutAt = v.occurredAtMs();
                        cutWord = v.type().equals("SESSION_DENIED") ? "denied" : "cut";
                    }
                }
                case "SESSION_ENDED", "SESSION_EVICTED" -> {
                    String end = v.type().equals("SESSION_ENDED") ? "ENDED" : "EVICTED";
                    status = status.equals("CUT") || status.equals("DENIED") ? status + "," + end : end;
                    endedAt = v.occurredAtMs();
                }
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
                String key = v.directiveId() + "#" + v.directiveRevision();
                commandEntries.computeIfAbsent(key, k -> new ArrayList<>()).add(e.seq());
                String matched = v.details().get("matched");
                if (matched != null) {
                    commandMatched.putIfAbsent(key, matched);
                    if (!DirectiveScope.EVERYONE.equals(matched)) {
                        heldGroups.add(matched);
                    }
                }
            }
        }
        n.put("status", status);
        n.put("resource", resource);
        n.put("userId", userId);
        n.put("firstSeen", own.isEmpty() ? null : Instant.ofEpochMilli(firstSeen).toString());
        n.put("lastSeen", own.isEmpty() ? null : Instant.ofEpochMilli(lastSeen).toString());
        n.set("commands", commands);

        ArrayNode revisions = n.putArray("directiveRevisions");
        List<AuditEntry> directiveEntries = new ArrayList<>();
        if (!own.isEmpty()) {
            long lifeFrom = firstSeen;
            long lifeUntil = endedAt == null ? Long.MAX_VALUE : endedAt;
            Map<String, String> known = new HashMap<>();
            if (userId != null) {
                known.put("userId", userId);
            }
            List<Sweep> sweeps = new ArrayList<>();
            for (AuditEntry e : db.directiveEntriesOfType("SWEEP_ENDED")) {
                EventView v = EventView.of(e);
                if (v != null && e.originPartition() != null
                        && "COMPLETED".equals(v.details().getOrDefault("outcome", "COMPLETED"))) {
                    sweeps.add(new Sweep(e.originPartition(), v));
                }
            }
            for (Revision r : revisions(db)) {
                String key = r.view().directiveId() + "#" + r.revision();
                String matchedByCommand = commandMatched.get(key);
                boolean overlaps = r.from() <= lifeUntil && r.until() > lifeFrom;
                if (matchedByCommand == null && (!overlaps || r.scope() == null)) {
                    continue;
                }
                DirectiveScope.Match m = r.scope() != null
                        ? r.scope().coverage(resource, known, matchedByCommand, heldGroups)
                        : new DirectiveScope.Match(DirectiveScope.Coverage.COVERED, -1, matchedByCommand,
                        "this revision issued a command for the session (its document is not in the log)");
                if (m.coverage() == DirectiveScope.Coverage.UNDETERMINED && partition != null
                        && "REVOKE_AND_DENY".equals(r.view().details().get("enforcement"))) {
                    Long swept = sweptWhileLive(sweeps, r, partition, firstSeen, cutAt, endedAt);
                    if (swept != null) {
                        continue; // live and swept by this revision without a command: it did not cover the session
                    }
                }
                if (m.coverage() == DirectiveScope.Coverage.NOT_COVERED) {
                    continue;
                }
                if (matchedByCommand == null && cutAt != null && cutAt <= r.from()) {
                    m = new DirectiveScope.Match(m.coverage(), m.group(), m.matched(), m.reason()
                            + "; no command from this revision: the session was already " + cutWord + " at "
                            + Instant.ofEpochMilli(cutAt) + " (a cut session stays cut)");
                }
                if (matchedByCommand == null && cutAt == null && m.coverage() == DirectiveScope.Coverage.COVERED
                        && "REVOKE_AND_DENY".equals(r.view().details().get("enforcement"))) {
                    m = new DirectiveScope.Match(m.coverage(), m.group(), m.matched(), m.reason()
                            + "; WARNING: the log holds no command cutting this session although it was covered while"
                            + " live (enforcement missed it, or its entries were removed or rewritten)");
                }
                directiveEntries.add(r.entry());
                revisions.add(revisionJson(r, m, commandEntries.getOrDefault(key, List.of())));
            }
            // Commands naming a revision ingest never recorded (an older log): say so rather than drop it.
            for (String key : commandMatched.keySet()) {
                boolean listed = false;
                for (JsonNode x : revisions) {
                    listed |= key.equals(x.path("directiveId").asText() + "#" + x.path("revision").asInt());
                }
                if (!listed) {
                    ObjectNode o = revisions.addObject();
                    o.put("directiveId", key.substring(0, key.lastIndexOf('#')));
                    o.put("revision", Integer.parseInt(key.substring(key.lastIndexOf('#') + 1)));
                    o.put("coverage", DirectiveScope.Coverage.COVERED.name());
                    o.put("matched", commandMatched.get(key));
                    o.put("reason", "this revision issued a command for the session; its DIRECTIVE_ACCEPTED entry is"
                            + " not in the log");
                    ArrayNode ce = o.putArray("commandEntries");
                    commandEntries.getOrDefault(key, List.of()).forEach(ce::add);
                }
            }
        }
        ArrayNode proofs = n.putArray("entries");
        List<AuditEntry> all = new ArrayList<>(own);
        all.addAll(directiveEntries);
        all.sort(Comparator.comparingLong(AuditEntry::seq));
        long lastSeq = -1;
        for (AuditEntry e : all) {
            if (e.seq() == lastSeq) {
                continue;
            }
            lastSeq = e.seq();
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

    /**
     * @return the time of a completed sweep of revision {@code r} in the session's partition that ran while the
     *         session was live (started before, not cut or ended before), or {@code null}. A REVOKE_AND_DENY sweep
     *         revokes every live session it covers, so such a sweep without a command shows the revision did not
     *         cover the session (with the attributes it had then).
     */
    private static Long sweptWhileLive(List<Sweep> sweeps, Revision r, int partition, long startedAt, Long cutAt,
                                       Long endedAt) {
        for (Sweep w : sweeps) {
            EventView s = w.view();
            if (s.directiveId().equals(r.view().directiveId()) && s.directiveRevision() != null
                    && s.directiveRevision() == r.revision()
                    && s.occurredAtMs() >= startedAt && (cutAt == null || cutAt > s.occurredAtMs())
                    && (endedAt == null || endedAt > s.occurredAtMs()) && w.partition() == partition) {
                return s.occurredAtMs();
            }
        }
        return null;
    }

    /** A completed sweep of one enforcement partition. */
    private record Sweep(int partition, EventView view) {
    }

    /** Every ENFORCE revision ingest accepted, with its in-force window, in (directive, revision) order. */
    private static List<Revision> revisions(DatabaseTrail db) {
        Map<String, TreeMap<Integer, Map.Entry<AuditEntry, EventView>>> byDirective = new TreeMap<>();
        for (AuditEntry e : db.directiveEntriesOfType("DIRECTIVE_ACCEPTED")) {
            EventView v = EventView.of(e);
            if (v == null || v.directiveId() == null || "DRY_RUN".equals(v.details().get("mode"))) {
                continue;
            }
            int rev = v.directiveRevision() != null ? v.directiveRevision()
                    : Integer.parseInt(v.details().getOrDefault("revision", "0"));
            byDirective.computeIfAbsent(v.directiveId(), k -> new TreeMap<>()).putIfAbsent(rev, Map.entry(e, v));
        }
        List<Revision> out = new ArrayList<>();
        for (TreeMap<Integer, Map.Entry<AuditEntry, EventView>> revs : byDirective.values()) {
            for (Map.Entry<Integer, Map.Entry<AuditEntry, EventView>> r : revs.entrySet()) {
                EventView v = r.getValue().getValue();
                if (!"RESTRICT".equals(v.details().getOrDefault("action", "RESTRICT"))) {
                    continue;
                }
                long from = Math.max(v.occurredAtMs(), time(v.details().get("effectiveFrom"), v.occurredAtMs()));
                long until = time(v.details().get("effectiveUntil"), Long.MAX_VALUE);
                Map.Entry<Integer, Map.Entry<AuditEntry, EventView>> next = revs.higherEntry(r.getKey());
                if (next != null) {
                    until = Math.min(until, next.getValue().getValue().occurredAtMs());
                }
                out.add(new Revision(r.getValue().getKey(), v, r.getKey(), from, until,
                        DirectiveScope.parse(v.details().get("document"))));
            }
        }
        return out;
    }

    private static long time(String iso, long absent) {
        if (iso == null || iso.isBlank() || iso.equals("null")) {
            return absent;
        }
        try {
            return Instant.parse(iso).toEpochMilli();
        } catch (DateTimeParseException e) {
            return absent;
        }
    }

    private static ObjectNode revisionJson(Revision r, DirectiveScope.Match m, List<Long> commandEntries) {
        EventView v = r.view();
        ObjectNode o = EntryJson.JSON.createObjectNode();
        o.put("entry", r.entry().seq());
        o.put("directiveId", v.directiveId());
        o.put("revision", r.revision());
        o.put("action", v.details().get("action"));
        o.put("mode", v.details().get("mode"));
        o.put("enforcement", v.details().get("enforcement"));
        o.put("issuer", v.details().get("issuer"));
        o.put("legalBasis", v.details().get("legalBasis"));
        o.put("principal", v.details().get("principal"));
        if (v.details().get("approvedBy") != null) {
            o.put("approvedBy", v.details().get("approvedBy"));
        }
        o.put("effectiveFrom", v.details().get("effectiveFrom"));
        o.put("acceptedAt", Instant.ofEpochMilli(v.occurredAtMs()).toString());
        o.put("inForceFrom", Instant.ofEpochMilli(r.from()).toString());
        o.put("inForceUntil", r.until() == Long.MAX_VALUE ? null : Instant.ofEpochMilli(r.until()).toString());
        o.put("scope", r.scope() == null ? null : r.scope().describe());
        o.put("coverage", m.coverage().name());
        o.put("matchedGroup", m.group() >= 0 ? "scope.subjects[" + m.group() + "]"
                : DirectiveScope.EVERYONE.equals(m.matched()) ? "everyone (scope.subjects is empty)" : null);
        o.put("matched", m.matched());
        o.put("reason", m.reason());
        ArrayNode ce = o.putArray("commandEntries");
        commandEntries.forEach(ce::add);
        return o;
    }

    /** @return the explanation of {@link #explain} as readable text (without the proofs) */
    public static String toText(ObjectNode n) {
        StringBuilder sb = new StringBuilder();
        String sid = n.path("sessionId").asText();
        if (!n.path("found").asBoolean()) {
            return "session " + sid + ": the audit log has no entry about it\n";
        }
        sb.append(String.format("session %s  resource %s  user %s  status %s%n  first seen %s, last seen %s%n", sid,
                n.path("resource").asText("-"), n.path("userId").asText("-"), n.path("status").asText(),
                n.path("firstSeen").asText(), n.path("lastSeen").asText()));
        sb.append("\ncommands:\n");
        if (n.path("commands").isEmpty()) {
            sb.append("  none\n");
        }
        for (JsonNode c : n.path("commands")) {
            sb.append(String.format("  entry %d  %s attempt %s at %s via %s: %s#%d matched \"%s\"%n    legal basis: %s%n",
                    c.path("entry").asLong(), c.path("kind").asText(), c.path("attempt").asText(), c.path("issuedAt").asText(),
                    c.path("via").asText("-"), c.path("directiveId").asText(), c.path("revision").asInt(),
                    c.path("matched").asText(), c.path("legalBasis").asText("-")));
        }
        sb.append("\ndirective revisions covering it:\n");
        if (n.path("directiveRevisions").isEmpty()) {
            sb.append("  none\n");
        }
        for (JsonNode r : n.path("directiveRevisions")) {
            sb.append(String.format("  %s#%d  %s  accepted %s (entry %s), in force %s .. %s%n",
                    r.path("directiveId").asText(), r.path("revision").asInt(), r.path("coverage").asText(),
                    r.path("acceptedAt").asText("?"), r.path("entry").asText("?"), r.path("inForceFrom").asText("?"),
                    r.path("inForceUntil").isNull() || r.path("inForceUntil").isMissingNode() ? "open"
                            : r.path("inForceUntil").asText()));
            if (r.hasNonNull("scope")) {
                sb.append("    scope: ").append(r.path("scope").asText()).append('\n');
            }
            if (r.hasNonNull("matchedGroup")) {
                sb.append("    matching group: ").append(r.path("matchedGroup").asText())
                        .append(r.hasNonNull("matched") && !DirectiveScope.EVERYONE.equals(r.path("matched").asText())
                                ? " = " + r.path("matched").asText() : "").append('\n');
            }
            sb.append("    ").append(r.path("reason").asText()).append('\n');
        }
        int proven = 0;
        int unproven = 0;
        String size = null;
        for (JsonNode p : n.path("entries")) {
            if (Proofs.INCLUSION.equals(p.path("kind").asText())) {
                proven++;
                size = p.path("treeSize").asText();
            } else {
                unproven++;
            }
        }
        sb.append(String.format("%nproofs: %d entr%s with inclusion proofs against the checkpoint of size %s%s%n", proven,
                proven == 1 ? "y" : "ies", size == null ? "-" : size,
                unproven == 0 ? "" : "; " + unproven + " not covered by a checkpoint yet"));
        return sb.toString();
    }

    /** @return the proof objects of {@link #explain}'s {@code entries}, keyed by entry seq (for writing files) */
    public static Map<Long, JsonNode> proofs(ObjectNode n) {
        Map<Long, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode p : n.path("entries")) {
            if (Proofs.INCLUSION.equals(p.path("kind").asText())) {
                out.put(p.path("entry").path("seq").asLong(), p);
            }
        }
        return out;
    }
}
