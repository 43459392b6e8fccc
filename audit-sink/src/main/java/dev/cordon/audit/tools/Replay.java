package dev.cordon.audit.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.AuditEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code cordon audit replay --as-of T}: rebuilds from the log alone which directive revisions were current and in
 * force at T, and the state of every session then (DESIGN.md "Directive lifecycle", "Session state machine").
 *
 * <p>Sources, all with {@code occurredAt <= T} (the decision wall clock): directive-ingest's
 * {@code DIRECTIVE_ACCEPTED} (details {@code revision, action, mode, enforcement, issuer, legalBasis,
 * effectiveFrom, effectiveUntil} and the normalised {@code document}; {@code DRY_RUN} ignored), falling back to
 * enforcement-stream's {@code DIRECTIVE_RECEIVED} for directives with no accepted event in the log (ingest's own
 * {@code DIRECTIVE_RECEIVED} of a revision pending four-eyes approval is never in force); sessions from
 * {@code SESSION_STARTED} (active), {@code SESSION_REVOKED} (cut), {@code SESSION_DENIED} (denied),
 * {@code SESSION_REREVOKED} (stays cut), {@code SESSION_ENDED}, {@code SESSION_EVICTED}. A cut session stays cut.
 */
public final class Replay {

    /** A directive's current revision at T. */
    public record DirectiveAt(String directiveId, int revision, String action, String enforcement, String effectiveFrom,
                              String effectiveUntil, boolean inForce, String issuer, String legalBasis, long entry,
                              String scope) {
    }

    /**
     * A session's state at T.
     *
     * @param status ACTIVE, CUT, DENIED, ENDED or EVICTED
     * @param cutBy  {@code directiveId#revision} of the command that cut/denied it, or null
     * @param entry  seq of the entry that set this state
     */
    public record SessionAt(String sessionId, String status, String cutBy, String matched, long sinceMs, long entry) {
    }

    /** The replay. */
    public record Result(Instant asOf, long entriesRead, List<DirectiveAt> directives, List<SessionAt> sessions) {
        /** @return sessions with the given status */
        public List<SessionAt> withStatus(String status) {
            return sessions.stream().filter(s -> s.status().equals(status)).toList();
        }
    }

    private Replay() {
    }

    /** Replays {@code entries} (in seq order) up to {@code asOf}. */
    public static Result asOf(Iterator<AuditEntry> entries, Instant asOf) {
        long t = asOf.toEpochMilli();
        Map<String, DirectiveAt> accepted = new TreeMap<>();
        Map<String, DirectiveAt> received = new TreeMap<>();
        Map<String, SessionAt> sessions = new LinkedHashMap<>();
        long read = 0;
        while (entries.hasNext()) {
            AuditEntry e = entries.next();
            read++;
            if (e.occurredAtMs() == null || e.occurredAtMs() > t) {
                continue;
            }
            EventView v = EventView.of(e);
            if (v == null) {
                continue;
            }
            Map<String, String> d = v.details();
            switch (v.type()) {
                case "DIRECTIVE_ACCEPTED", "DIRECTIVE_RECEIVED" -> {
                    if ("DRY_RUN".equals(d.get("mode")) || v.directiveId() == null
                            || v.type().equals("DIRECTIVE_RECEIVED") && !"enforcement-stream".equals(v.component())
                            || "PENDING_APPROVAL".equals(d.get("status"))) {
                        break;
                    }
                    int rev = v.directiveRevision() != null ? v.directiveRevision()
                            : Integer.parseInt(d.getOrDefault("revision", "0"));
                    Map<String, DirectiveAt> into = v.type().equals("DIRECTIVE_ACCEPTED") ? accepted : received;
                    DirectiveAt cur = into.get(v.directiveId());
                    if (cur == null || rev > cur.revision()) {
                        into.put(v.directiveId(), new DirectiveAt(v.directiveId(), rev, d.getOrDefault("action", "RESTRICT"),
                                d.get("enforcement"), d.get("effectiveFrom"), d.get("effectiveUntil"), false,
                                d.get("issuer"), d.get("legalBasis"), e.seq(), DirectiveScope.describe(d.get("document"))));
                    }
                }
                case "SESSION_STARTED" -> sessions.compute(v.sessionId(), (k, s) -> s != null
                        && (s.status().equals("CUT") || s.status().equals("DENIED")) ? s
                        : new SessionAt(k, "ACTIVE", null, null, v.occurredAtMs(), e.seq()));
                case "SESSION_REVOKED", "SESSION_DENIED" -> sessions.put(v.sessionId(), new SessionAt(v.sessionId(),
                        v.type().equals("SESSION_DENIED") ? "DENIED" : "CUT", v.directiveId() + "#" + v.directiveRevision(),
                        d.get("matched"), v.occurredAtMs(), e.seq()));
                case "SESSION_REREVOKED" -> sessions.computeIfAbsent(v.sessionId(), k -> new SessionAt(k, "CUT",
                        v.directiveId() + "#" + v.directiveRevision(), d.get("matched"), v.occurredAtMs(), e.seq()));
                case "SESSION_ENDED", "SESSION_EVICTED" -> {
                    SessionAt s = sessions.get(v.sessionId());
                    String status = v.type().equals("SESSION_ENDED") ? "ENDED" : "EVICTED";
                    sessions.put(v.sessionId(), new SessionAt(v.sessionId(), status, s == null ? null : s.cutBy(),
                            s == null ? null : s.matched(), v.occurredAtMs(), e.seq()));
                }
                default -> {
                }
            }
        }
        received.forEach(accepted::putIfAbsent);
        List<DirectiveAt> directives = new ArrayList<>();
        for (DirectiveAt dir : accepted.values()) {
            boolean inForce = "RESTRICT".equals(dir.action()) && dir.effectiveFrom() != null
                    && Instant.parse(dir.effectiveFrom()).toEpochMilli() <= t
                    && (dir.effectiveUntil() == null || t < Instant.parse(dir.effectiveUntil()).toEpochMilli());
            directives.add(new DirectiveAt(dir.directiveId(), dir.revision(), dir.action(), dir.enforcement(),
                    dir.effectiveFrom(), dir.effectiveUntil(), inForce, dir.issuer(), dir.legalBasis(), dir.entry(),
                    dir.scope()));
        }
        List<SessionAt> ss = new ArrayList<>(sessions.values());
        ss.sort(Comparator.comparing(SessionAt::sessionId));
        return new Result(asOf, read, directives, ss);
    }

    /** @return the result as JSON: {@code {"asOf","directives":[…],"sessions":{"active":[…],"cut":[…],"denied":[…]},"ended":n}} */
    public static ObjectNode toJson(Result r) {
        ObjectNode n = EntryJson.JSON.createObjectNode();
        n.put("asOf", r.asOf().toString());
        n.put("entriesRead", r.entriesRead());
        ArrayNode ds = n.putArray("directives");
        for (DirectiveAt d : r.directives()) {
            ObjectNode o = ds.addObject();
            o.put("directiveId", d.directiveId());
            o.put("revision", d.revision());
            o.put("action", d.action());
            o.put("inForce", d.inForce());
            o.put("enforcement", d.enforcement());
            o.put("effectiveFrom", d.effectiveFrom());
            o.put("effectiveUntil", d.effectiveUntil());
            o.put("issuer", d.issuer());
            o.put("legalBasis", d.legalBasis());
            o.put("scope", d.scope());
            o.put("entry", d.entry());
        }
        ObjectNode s = n.putObject("sessions");
        for (String status : List.of("ACTIVE", "CUT", "DENIED")) {
            ArrayNode arr = s.putArray(status.toLowerCase());
            for (SessionAt x : r.withStatus(status)) {
                ObjectNode o = arr.addObject();
                o.put("sessionId", x.sessionId());
                o.put("since", Instant.ofEpochMilli(x.sinceMs()).toString());
                if (x.cutBy() != null) {
                    o.put("cutBy", x.cutBy());
                    o.put("matched", x.matched());
                }
                o.put("entry", x.entry());
            }
        }
        n.put("ended", r.withStatus("ENDED").size());
        n.put("evicted", r.withStatus("EVICTED").size());
        return n;
    }

    /** @return a plain-text table: directives, then every active, cut and denied session, then the counts */
    public static String toTable(Result r) {
        return toTable(r, true);
    }

    /**
     * @param withSessions list every active, cut and denied session ({@code false}: directives and counts only)
     * @return a plain-text table
     */
    public static String toTable(Result r, boolean withSessions) {
        StringBuilder sb = new StringBuilder();
        sb.append("As of ").append(r.asOf()).append(" (").append(r.entriesRead()).append(" entries read)\n\n");
        sb.append(String.format("%-28s %4s %-8s %-9s %-16s %s%n", "DIRECTIVE", "REV", "ACTION", "IN FORCE", "ENFORCEMENT", "LEGAL BASIS"));
        for (DirectiveAt d : r.directives()) {
            sb.append(String.format("%-28s %4d %-8s %-9s %-16s %s%n", d.directiveId(), d.revision(), d.action(),
                    d.inForce() ? "yes" : "no", d.enforcement() == null ? "-" : d.enforcement(),
                    d.legalBasis() == null ? "-" : d.legalBasis()));
        }
        for (DirectiveAt d : r.directives()) {
            if (d.scope() != null) {
                sb.append(String.format("  %s#%d scope: %s%n", d.directiveId(), d.revision(), d.scope()));
            }
        }
        if (withSessions) {
            sb.append('\n').append(String.format("%-24s %-8s %-28s %s%n", "SESSION", "STATUS", "CUT BY", "MATCHED"));
            for (String status : List.of("ACTIVE", "CUT", "DENIED")) {
                for (SessionAt s : r.withStatus(status)) {
                    sb.append(String.format("%-24s %-8s %-28s %s%n", s.sessionId(), s.status(),
                            s.cutBy() == null ? "-" : s.cutBy(), s.matched() == null ? "-" : s.matched()));
                }
            }
        }
        sb.append(String.format("%n%d active, %d cut, %d denied, %d ended, %d evicted%n", r.withStatus("ACTIVE").size(),
                r.withStatus("CUT").size(), r.withStatus("DENIED").size(), r.withStatus("ENDED").size(),
                r.withStatus("EVICTED").size()));
        return sb.toString();
    }
}
