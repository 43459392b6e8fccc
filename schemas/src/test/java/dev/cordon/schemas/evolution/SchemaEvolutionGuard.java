package dev.cordon.schemas.evolution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.schemas.registry.CompatibilityLevel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;

/**
 * The schema evolution rules of DESIGN.md ("Avro: ... every schema evolves FULL_TRANSITIVE; enums
 * carry a default symbol; required ids are non-nullable"), as pure functions returning the list of
 * violations (empty = fine), so tests can both enforce them and show that they catch mistakes.
 */
final class SchemaEvolutionGuard {
    private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.avsc");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaEvolutionGuard() {
    }

    /** Loads {@code dir/v<N>.avsc} files (self-contained schemas) keyed by N. */
    static SortedMap<Integer, Schema> loadHistory(Path dir) {
        SortedMap<Integer, Schema> history = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Matcher m = VERSION_FILE.matcher(file.getFileName().toString());
                if (m.matches()) {
                    history.put(Integer.parseInt(m.group(1)), new Schema.Parser().parse(file.toFile()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema history in " + dir, e);
        }
        return history;
    }

    /**
     * FULL_TRANSITIVE: the current schema reads every earlier version's data and every earlier
     * version reads the current schema's data (Avro {@code SchemaCompatibility}, both directions).
     */
    static List<String> compatibilityViolations(String name, Schema current, SortedMap<Integer, Schema> history) {
        List<String> out = new ArrayList<>();
        for (String problem : CompatibilityLevel.FULL_TRANSITIVE.incompatibilities(current, history)) {
            out.add(name + ": not FULL_TRANSITIVE compatible with schema-history: " + problem);
        }
        return out;
    }

    /** Every enum reachable from {@code schema} has a {@code default} symbol. */
    static List<String> enumsWithoutDefault(Schema schema) {
        List<String> out = new ArrayList<>();
        walk(schema, new IdentityHashMap<>(), s -> {
            if (s.getType() == Schema.Type.ENUM && s.getEnumDefault() == null) {
                out.add("enum " + s.getFullName() + " has no default symbol: add \"default\" (e.g. \"UNKNOWN\") so "
                        + "readers on an older version can read a symbol added later");
            }
        });
        return out;
    }

    /** Each named field exists at the top level of {@code schema} and cannot be null. */
    static List<String> nullableRequiredIds(Schema schema, Set<String> requiredIds) {
        List<String> out = new ArrayList<>();
        for (String id : requiredIds) {
            Schema.Field field = schema.getField(id);
            if (field == null) {
                out.add(schema.getFullName() + "." + id + " is a required id but the field is missing");
            } else if (nullable(field.schema())) {
                out.add(schema.getFullName() + "." + id + " is a required id but its type " + field.schema()
                        + " allows null");
            }
        }
        return out;
    }

    /**
     * Whether two schemas are the same for publication: equal after dropping {@code doc} and the
     * Java-only {@code avro.java.string} property.
     */
    static boolean samePublishedSchema(Schema a, Schema b) {
        return normalised(a).equals(normalised(b));
    }

    private static JsonNode normalised(Schema schema) {
        try {
            return strip(JSON.readTree(schema.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Drops doc and avro.java.string; {"type":"string"} left with no other key becomes "string". */
    private static JsonNode strip(JsonNode node) {
        if (node instanceof ObjectNode o) {
            ObjectNode copy = JSON.createObjectNode();
            o.properties().forEach(e -> {
                if (!e.getKey().equals("doc") && !e.getKey().equals("avro.java.string")) {
                    copy.set(e.getKey(), strip(e.getValue()));
                }
            });
            return copy.size() == 1 && copy.has("type") && copy.get("type").isTextual() ? copy.get("type") : copy;
        }
        if (node instanceof ArrayNode a) {
            ArrayNode copy = JSON.createArrayNode();
            a.elements().forEachRemaining(e -> copy.add(strip(e)));
            return copy;
        }
        return node;
    }

    private static boolean nullable(Schema s) {
        return s.getType() == Schema.Type.NULL
                || (s.getType() == Schema.Type.UNION && s.getTypes().stream().anyMatch(SchemaEvolutionGuard::nullable));
    }

    private static void walk(Schema s, Map<Schema, Boolean> seen, java.util.function.Consumer<Schema> visit) {
        if (seen.put(s, Boolean.TRUE) != null) {
            return;
        }
        visit.accept(s);
        switch (s.getType()) {
            case RECORD -> s.getFields().forEach(f -> walk(f.schema(), seen, visit));
            case ARRAY -> walk(s.getElementType(), seen, visit);
            case MAP -> walk(s.getValueType(), seen, visit);
            case UNION -> s.getTypes().forEach(t -> walk(t, seen, visit));
            default -> {
            }
        }
    }
}
