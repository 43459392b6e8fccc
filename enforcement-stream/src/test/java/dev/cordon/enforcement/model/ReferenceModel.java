package dev.cordon.enforcement.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A small, single-threaded, obviously-correct model of DESIGN.md "Enforcement semantics" (plus the resolutions
 * written down in enforcement-stream/README.md), in plain Java with its own types: no Kafka, no Avro, nothing shared
 * with the topology. Differential tests feed the same timeline to both and compare the commands as a multiset.
 *
 * <p>Time is the caller's: every input carries the wall clock {@code nowMs} of the decision. {@link #scheduleCheck}
 * is the activation/expiry check; a directive's sweep happens at once (the timelines leave room for the topology's
 * batched sweeps to finish before the next input).
 */
public final class ReferenceModel {
    /** Session event types. */
    public enum Type { STARTED, HEARTBEAT, ATTRIBUTES_CHANGED, ENDED }

    /** Who a session belongs to; lists may be empty, single values null. */
    public record Subject(String userId, String orgId, List<String> nationality, String residenceCountry,
                          String locationCountry, List<String> role, Map<String, String> attributes) {
    }

    /** A session event. */
    public record Event(String sessionId, Type type, String resource, String gatewayId, long occurredAt, Subject subject) {
    }

    /** {@code attribute op values}; op IN or NOT_IN. */
    public record Condition(String attribute, boolean in, List<String> values) {
    }

    /** A directive revision; {@code lift} has no scope; {@code until} null = open. */
    public record Directive(String id, int revision, boolean lift, boolean dryRun, boolean denyNewOnly, long from, Long until,
                            List<String> resources, List<List<Condition>> subjects, List<List<Condition>> exempt) {
    }

    /** A command: {@code KIND sessionId directiveId attempt}. */
    public record Command(String kind, String sessionId, String directiveId, int attempt) {
        @Override
        public String toString() {
            return kind + " " + sessionId + " " + directiveId + " " + attempt;
        }
    }

    private enum Status { ACTIVE, CUT, ENDED }

    private record Fingerprint(Type type, long occurredAt) {
    }

    private static final class Session {
        Status status;
        long orderedAt;
        String resource;
        String gatewayId;
        Subject subject;
        long lastSeen;
        String cutBy;       // directive that first cut it
        int attempt;        // last attempt issued
        final List<Fingerprint> recent = new ArrayList<>();

        void remember(Fingerprint f) {
            recent.remove(f);
            recent.add(f);
            while (recent.size() > 8) {
                recent.remove(0);
            }
        }
    }

    private static final class Entry {
        Directive current;
        boolean activated;
        boolean expired;
    }

    private static final Set<String> COUNTRIES = Set.of("nationality", "residenceCountry", "locationCountry");

    private final long skewToleranceMs;
    private final long lastSeenGranularityMs;
    private final Map<String, Session> sessions = new TreeMap<>();
    private final Map<String, Entry> directives = new TreeMap<>();
    private final List<Command> commands = new ArrayList<>();

    /**
     * @param skewToleranceMs       an occurredAt further ahead of now than this orders as now
     * @param lastSeenGranularityMs an ACTIVE session's no-change event within this of its last recorded one is not recorded
     */
    public ReferenceModel(long skewToleranceMs, long lastSeenGranularityMs) {
        this.skewToleranceMs = skewToleranceMs;
        this.lastSeenGranularityMs = lastSeenGranularityMs;
    }

    /** @return every command issued so far */
    public List<Command> commands() {
        return List.copyOf(commands);
    }

    // ------------------------------------------------------------------ sessions

    /** Applies one session event decided at {@code now}. */
    public void session(Event e, long now) {
        Fingerprint f = new Fingerprint(e.type(), e.occurredAt());
        long ordered = e.occurredAt() > now + skewToleranceMs ? now : e.occurredAt();
        Session s = sessions.get(e.sessionId());
        if (s != null && s.recent.contains(f)) {
            return; // exact duplicate
        }
        if (s != null && s.status == Status.ENDED && ordered <= s.orderedAt) {
            return; // late event of an ended session
        }
        if (s == null || s.status == Status.ENDED) {
            Session n = s == null ? new Session() : s;
            update(n, e, ordered, now, f);
            sessions.put(e.sessionId(), n);
            if (e.type() == Type.ENDED) {
                n.status = Status.ENDED;
            } else if (n.cutBy != null) {
                reRevoke(e.sessionId(), n); // cut before it ended: stays cut
            } else {
                boolean started = e.type() == Type.STARTED;
                Optional<Directive> d = covering(n, now, !started);
                if (d.isPresent()) {
                    cut(e.sessionId(), n, started ? "DENY" : "REVOKE", d.get().id());
                } else {
                    n.status = Status.ACTIVE;
                }
            }
            return;
        }
        if (e.type() == Type.ENDED) {
            update(s, e, ordered, now, f);
            s.status = Status.ENDED;
            return;
        }
        if (s.status == Status.CUT) {
            update(s, e, ordered, now, f);
            reRevoke(e.sessionId(), s);
            return;
        }
        // ACTIVE
        boolean changes = !Objects.equals(s.resource, e.resource()) || !Objects.equals(s.gatewayId, e.gatewayId())
                || !Objects.equals(s.subject, e.subject());
        Session probe = new Session();
        probe.resource = e.resource();
        probe.subject = e.subject();
        Optional<Directive> d = covering(probe, now, true);
        if (d.isPresent()) {
            update(s, e, ordered, now, f);
            cut(e.sessionId(), s, "REVOKE", d.get().id());
        } else if (changes || now - s.lastSeen >= lastSeenGranularityMs) {
            update(s, e, ordered, now, f);
        }
    }

    private static void update(Session s, Event e, long ordered, long now, Fingerprint f) {
        s.orderedAt = ordered;
        s.resource = e.resource();
        s.gatewayId = e.gatewayId();
        s.subject = e.subject();
        s.lastSeen = now;
        s.remember(f);
    }

    private void cut(String id, Session s, String kind, String directiveId) {
        s.status = Status.CUT;
        s.cutBy = directiveId;
        s.attempt = 1;
        commands.add(new Command(kind, id, directiveId, 1));
    }

    private void reRevoke(String id, Session s) {
        s.status = Status.CUT;
        s.attempt++;
        commands.add(new Command("REVOKE", id, s.cutBy, s.attempt));
    }

    // ------------------------------------------------------------------ directives

    /** Applies one directive change decided at {@code now}. */
    public void directive(Directive d, long now) {
        if (d.dryRun()) {
            return; // a preview: never stored, never enforced
        }
        Entry e = directives.get(d.id());
        if (e != null && d.revision() <= e.current.revision()) {
            return; // ordered by revision only
        }
        Entry n = new Entry();
        n.current = d;
        directives.put(d.id(), n);
        if (d.lift() || d.until() != null && d.until() <= now) {
            n.activated = true;
            n.expired = true;
        } else if (d.from() <= now) {
            n.activated = true;
            sweep(d, now);
        }
    }

    /** The activation/expiry check at {@code now}: a directive whose time came is activated, even if its window passed. */
    public void scheduleCheck(long now) {
        for (Entry e : directives.values()) {
            Directive d = e.current;
            if (d.lift()) {
                continue;
            }
            if (!e.activated && d.from() <= now) {
                e.activated = true;
                sweep(d, now);
            }
            if (!e.expired && d.until() != null && d.until() <= now) {
                e.expired = true;
            }
        }
    }

    private void sweep(Directive d, long now) {
        if (d.denyNewOnly()) {
            return;
        }
        for (Map.Entry<String, Session> kv : sessions.entrySet()) {
            Session s = kv.getValue();
            if (s.status == Status.ACTIVE && covers(d, s.resource, s.subject)) {
                cut(kv.getKey(), s, "REVOKE", covering(s, now, true).orElse(d).id());
            }
        }
    }

    private boolean inForce(Directive d, long now) {
        return !d.lift() && !d.dryRun() && d.from() <= now && (d.until() == null || now < d.until());
    }

    /** @return the covering directive in force of lowest (from, id), REVOKE_AND_DENY only when {@code revoking} */
    private Optional<Directive> covering(Session s, long now, boolean revoking) {
        return directives.values().stream().map(e -> e.current)
                .filter(d -> inForce(d, now))
                .filter(d -> !revoking || !d.denyNewOnly())
                .filter(d -> covers(d, s.resource, s.subject))
                .min(Comparator.comparingLong(Directive::from).thenComparing(Directive::id));
    }

    // ------------------------------------------------------------------ coverage

    static boolean covers(Directive d, String resource, Subject subject) {
        if (!(d.resources().contains("*") || d.resources().contains(resource))) {
            return false;
        }
        for (List<Condition> group : d.exempt()) {
            if (holds(group, subject)) {
                return false;
            }
        }
        if (d.subjects().isEmpty()) {
            return true;
        }
        for (List<Condition> group : d.subjects()) {
            if (holds(group, subject)) {
                return true;
            }
        }
        return false;
    }

    private static boolean holds(List<Condition> group, Subject subject) {
        if (group.isEmpty()) {
            return false;
        }
        for (Condition c : group) {
            List<String> elements = elements(c.attribute(), subject);
            boolean any = false;
            for (String element : elements) {
                for (String v : c.values()) {
                    any |= COUNTRIES.contains(c.attribute())
                            ? element.toUpperCase(Locale.ROOT).equals(v.toUpperCase(Locale.ROOT)) : element.equals(v);
                }
            }
            if (c.in() != any) {
                return false;
            }
        }
        return true;
    }

    private static List<String> elements(String attribute, Subject s) {
        List<String> out = new ArrayList<>();
        switch (attribute) {
            case "userId" -> add(out, s.userId());
            case "orgId" -> add(out, s.orgId());
            case "nationality" -> s.nationality().forEach(v -> add(out, v));
            case "residenceCountry" -> add(out, s.residenceCountry());
            case "locationCountry" -> add(out, s.locationCountry());
            case "role" -> s.role().forEach(v -> add(out, v));
            default -> {
                if (attribute.startsWith("attr.")) {
                    add(out, s.attributes().get(attribute.substring(5)));
                }
            }
        }
        return out;
    }

    private static void add(List<String> out, String v) {
        if (v != null) {
            out.add(v);
        }
    }
}
