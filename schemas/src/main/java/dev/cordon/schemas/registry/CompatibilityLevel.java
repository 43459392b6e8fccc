package dev.cordon.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Schema Registry compatibility levels, checked with Avro's own
 * {@link SchemaCompatibility#checkReaderWriterCompatibility(Schema, Schema)}.
 *
 * <ul>
 *   <li>BACKWARD: the new schema (reader) reads data written with the old schema (writer);</li>
 *   <li>FORWARD: the old schema (reader) reads data written with the new schema (writer);</li>
 *   <li>FULL: both;</li>
 *   <li>non-transitive levels compare with the latest version only, {@code _TRANSITIVE} ones with
 *       every version (Confluent docs, "Schema Evolution and Compatibility").</li>
 * </ul>
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** @return whether the new schema must read data written with the old ones */
    public boolean backward() {
        return backward;
    }

    /** @return whether the old schemas must read data written with the new one */
    public boolean forward() {
        return forward;
    }

    /** @return whether every earlier version is checked (otherwise only the latest) */
    public boolean transitive() {
        return transitive;
    }

    /**
     * Parses a level name case-insensitively ({@code "full_transitive"}, {@code "BACKWARD"}).
     *
     * @throws IllegalArgumentException naming the valid values
     */
    public static CompatibilityLevel parse(String name) {
        if (name != null) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // fall through to the explanatory message
            }
        }
        throw new IllegalArgumentException("Invalid compatibility level '" + name + "'. Valid values are "
                + java.util.Arrays.toString(values()));
    }

    /**
     * Checks a candidate schema against earlier versions at this level.
     *
     * @param candidate          the new schema
     * @param previousByVersion  earlier versions keyed by version number (any order of insertion;
     *                           the highest key is "the latest")
     * @return one message per incompatibility (empty = compatible), each naming the version, the
     *         direction, Avro's incompatibility type, its location and message
     */
    public List<String> incompatibilities(Schema candidate, SortedMap<Integer, Schema> previousByVersion) {
        List<String> messages = new ArrayList<>();
        if (this == NONE || previousByVersion.isEmpty()) {
            return messages;
        }
        SortedMap<Integer, Schema> checked = transitive
                ? previousByVersion
                : previousByVersion.tailMap(previousByVersion.lastKey());
        for (Map.Entry<Integer, Schema> previous : checked.entrySet()) {
            if (backward) {
                describe(messages, "BACKWARD", "the new schema cannot read data written with version " + previous.getKey(),
                        SchemaCompatibility.checkReaderWriterCompatibility(candidate, previous.getValue()));
            }
            if (forward) {
                describe(messages, "FORWARD", "version " + previous.getKey() + " cannot read data written with the new schema",
                        SchemaCompatibility.checkReaderWriterCompatibility(previous.getValue(), candidate));
            }
        }
        return messages;
    }

    private void describe(List<String> out, String direction, String what, SchemaPairCompatibility result) {
        if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        for (Incompatibility i : result.getResult().getIncompatibilities()) {
            String label = backward && forward ? name() + " (" + direction + ")" : name();
            out.add(label + ": " + what + ": " + i.getType() + " at " + i.getLocation()
                    + ": " + i.getMessage());
        }
    }
}
