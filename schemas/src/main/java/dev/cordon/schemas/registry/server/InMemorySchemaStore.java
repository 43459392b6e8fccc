package dev.cordon.schemas.registry.server;

import dev.cordon.schemas.registry.CompatibilityLevel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.Schema;

/**
 * The registry's state, in memory, guarded by this object's monitor. Schemas are identified by
 * their compact JSON form ({@link Schema#toString()}), as Confluent does by default
 * (no normalisation): an identical schema gets the same global id under any subject.
 *
 * <p>With a {@link SchemaJournal} every state change is validated, then journalled (fsync), then
 * applied, so a change is visible only once durable; {@link #persistent(Path)} rebuilds the state by
 * applying the journalled changes in order (ids, versions, soft deletes and config come back identical).
 */
final class InMemorySchemaStore implements AutoCloseable {

    record Version(int version, int id, boolean deleted) {
    }

    record Registered(String subject, int version, int id, Schema schema) {
    }

    private final Map<String, Integer> idByCanonical = new HashMap<>();
    private final Map<Integer, Schema> schemaById = new HashMap<>();
    private final Map<String, List<Version>> versionsBySubject = new LinkedHashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevel = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int nextId = 1;
    /** {@code null}: in memory only. */
    private SchemaJournal journal;

    /** A store whose state is lost when it is dropped. */
    InMemorySchemaStore() {
    }

    /**
     * A store journalled in {@code dir} (see {@link SchemaJournal}), with the state replayed from it.
     *
     * @throws java.io.UncheckedIOException when the journal cannot be opened or read
     * @throws IllegalStateException        when the journal is corrupt before its last line, or in use
     */
    static InMemorySchemaStore persistent(Path dir) {
        InMemorySchemaStore store = new InMemorySchemaStore();
        synchronized (store) {
            store.journal = SchemaJournal.open(dir, store::apply);
        }
        return store;
    }

    synchronized int register(String subject, Schema schema) {
        String canonical = schema.toString();
        List<Version> versions = versionsBySubject.getOrDefault(subject, List.of());
        Integer knownId = idByCanonical.get(canonical);
        if (knownId != null) {
            for (Version v : versions) {
                if (!v.deleted() && v.id() == knownId) {
                    return knownId; // idempotent: already a live version of this subject
                }
            }
        }
        CompatibilityLevel level = level(subject);
        List<String> problems = level.incompatibilities(schema, live(subject));
        if (!problems.isEmpty()) {
            throw new RegistryError(409, 409, "Schema being registered is incompatible with an earlier schema for subject '"
                    + subject + "' (compatibility " + level + "), details: " + problems);
        }
        int id = knownId != null ? knownId : nextId;
        int version = versions.stream().mapToInt(Version::version).max().orElse(0) + 1;
        commit(new SchemaJournal.SchemaRegistered(subject, version, id, canonical));
        return id;
    }

    synchronized Registered lookup(String subject, Schema schema) {
        requireLive(subject);
        Integer id = idByCanonical.get(schema.toString());
        if (id != null) {
            for (Version v : versionsBySubject.get(subject)) {
                if (!v.deleted() && v.id() == id) {
                    return new Registered(subject, v.version(), id, schemaById.get(id));
                }
            }
        }
        throw RegistryError.schemaNotFound("Schema not found under subject '" + subject + "'.");
    }

    synchronized Optional<Schema> schemaById(int id) {
        return Optional.ofNullable(schemaById.get(id));
    }

    synchronized List<Registered> usagesOf(int id) {
        List<Registered> out = new ArrayList<>();
        versionsBySubject.forEach((subject, versions) -> versions.stream()
                .filter(v -> !v.deleted() && v.id() == id)
                .forEach(v -> out.add(new Registered(subject, v.version(), id, schemaById.get(id)))));
        return out;
    }

    synchronized List<String> subjects() {
        return new ArrayList<>(new TreeSet<>(versionsBySubject.keySet().stream().filter(s -> !live(s).isEmpty()).toList()));
    }

    synchronized List<Integer> versions(String subject) {
        return new ArrayList<>(requireLive(subject).keySet());
    }

    /** @param version a version number, or -1 for the latest */
    synchronized Registered version(String subject, int version) {
        SortedMap<Integer, Schema> live = requireLive(subject);
        int wanted = version == -1 ? live.lastKey() : version;
        Schema schema = live.get(wanted);
        if (schema == null) {
            throw RegistryError.versionNotFound(subject, version);
        }
        int id = versionsBySubject.get(subject).stream().filter(v -> v.version() == wanted)
                .findFirst().orElseThrow().id();
        return new Registered(subject, wanted, id, schema);
    }

    /**
     * Tests compatibility. {@code version == null}: against every live version per the level;
     * {@code -1}: against the latest (a subject without versions accepts anything); else that version.
     */
    synchronized List<String> compatibility(String subject, Schema schema, Integer version) {
        SortedMap<Integer, Schema> live = live(subject);
        CompatibilityLevel level = level(subject);
        if (version == null) {
            return level.incompatibilities(schema, live);
        }
        if (live.isEmpty()) {
            if (version == -1) {
                return List.of();
            }
            throw RegistryError.subjectNotFound(subject);
        }
        int wanted = version == -1 ? live.lastKey() : version;
        if (!live.containsKey(wanted)) {
            throw RegistryError.versionNotFound(subject, version);
        }
        return level.incompatibilities(schema, new TreeMap<>(Map.of(wanted, live.get(wanted))));
    }

    synchronized List<Integer> delete(String subject, boolean permanent) {
        List<Version> versions = versionsBySubject.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        boolean anyLive = versions.stream().anyMatch(v -> !v.deleted());
        if (permanent) {
            if (anyLive) {
                throw new RegistryError(404, 40405, "Subject '" + subject
                        + "' was not deleted first before being permanently deleted");
            }
            List<Integer> deleted = versions.stream().map(Version::version).toList();
            commit(new SchemaJournal.SubjectDeleted(subject, true));
            return deleted;
        }
        if (!anyLive) {
            throw new RegistryError(404, 40404, "Subject '" + subject + "' was soft deleted. Set permanent=true to delete permanently");
        }
        List<Integer> deleted = versions.stream().filter(v -> !v.deleted()).map(Version::version).toList();
        commit(new SchemaJournal.SubjectDeleted(subject, false));
        return deleted;
    }

    synchronized CompatibilityLevel globalLevel() {
        return globalLevel;
    }

    synchronized void globalLevel(CompatibilityLevel level) {
        commit(new SchemaJournal.GlobalLevelSet(level));
    }

    synchronized Optional<CompatibilityLevel> subjectLevel(String subject) {
        return Optional.ofNullable(subjectLevel.get(subject));
    }

    synchronized void subjectLevel(String subject, CompatibilityLevel level) {
        commit(new SchemaJournal.SubjectLevelSet(subject, level));
    }

    synchronized Optional<CompatibilityLevel> removeSubjectLevel(String subject) {
        Optional<CompatibilityLevel> removed = Optional.ofNullable(subjectLevel.get(subject));
        if (removed.isPresent()) {
            commit(new SchemaJournal.SubjectLevelRemoved(subject));
        }
        return removed;
    }

    /** Closes the journal, if any; later changes fail. Reads keep working on the in-memory state. */
    @Override
    public synchronized void close() {
        if (journal != null) {
            journal.close();
        }
    }

    /** Makes {@code change} durable first (when journalled), then applies it. */
    private void commit(SchemaJournal.Change change) {
        if (journal != null) {
            journal.append(change);
        }
        apply(change);
    }

    /** Applies an already validated (or replayed) change to the in-memory state. */
    private void apply(SchemaJournal.Change change) {
        if (change instanceof SchemaJournal.SchemaRegistered r) {
            Schema schema = schemaById.get(r.id());
            if (schema == null) {
                schema = new Schema.Parser().parse(r.schema());
                schemaById.put(r.id(), schema);
                // Keyed by the journalled text, i.e. the registering request's compact form.
                idByCanonical.putIfAbsent(r.schema(), r.id());
            }
            nextId = Math.max(nextId, r.id() + 1);
            versionsBySubject.computeIfAbsent(r.subject(), s -> new ArrayList<>())
                    .add(new Version(r.version(), r.id(), false));
        } else if (change instanceof SchemaJournal.GlobalLevelSet g) {
            globalLevel = g.level();
        } else if (change instanceof SchemaJournal.SubjectLevelSet l) {
            subjectLevel.put(l.subject(), l.level());
        } else if (change instanceof SchemaJournal.SubjectLevelRemoved l) {
            subjectLevel.remove(l.subject());
        } else if (change instanceof SchemaJournal.SubjectDeleted d) {
            if (d.permanent()) {
                versionsBySubject.remove(d.subject());
                subjectLevel.remove(d.subject());
            } else {
                versionsBySubject.getOrDefault(d.subject(), new ArrayList<>())
                        .replaceAll(v -> new Version(v.version(), v.id(), true));
            }
        } else {
            throw new IllegalArgumentException("unknown change " + change);
        }
    }

    private CompatibilityLevel level(String subject) {
        return subjectLevel.getOrDefault(subject, globalLevel);
    }

    private SortedMap<Integer, Schema> live(String subject) {
        SortedMap<Integer, Schema> live = new TreeMap<>();
        for (Version v : versionsBySubject.getOrDefault(subject, List.of())) {
            if (!v.deleted()) {
                live.put(v.version(), schemaById.get(v.id()));
            }
        }
        return live;
    }

    private SortedMap<Integer, Schema> requireLive(String subject) {
        SortedMap<Integer, Schema> live = live(subject);
        if (live.isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return live;
    }
}
