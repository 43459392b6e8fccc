package dev.cordon.schemas.serde;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Since 1.12.1 Avro loads a class by name only when its {@link ClassSecurityValidator} trusts it
 * (CVE-2024-47561 hardening); generated SpecificRecord classes are not trusted by default, so
 * {@code SpecificDatumReader}/{@code Writer} fail with {@code SecurityException: Forbidden ...}.
 * This extends the global predicate (keeping whatever it already trusts) with exactly the named
 * types (records, enums, fixed) reachable from a record class Cordon serialises or reads into —
 * never with names taken from a writer schema found in the data.
 */
final class AvroClassTrust {
    private static final Set<Class<?>> TRUSTED_ROOTS = ConcurrentHashMap.newKeySet();

    private AvroClassTrust() {
    }

    /** Trusts {@code type} and the generated classes of every named type in {@code schema}. */
    static void trust(Class<?> type, Schema schema) {
        if (TRUSTED_ROOTS.contains(type)) {
            return;
        }
        synchronized (AvroClassTrust.class) {
            if (TRUSTED_ROOTS.contains(type)) {
                return;
            }
            List<String> names = new ArrayList<>();
            collect(schema, new IdentityHashMap<>(), names);
            ClassSecurityValidator.Builder builder = ClassSecurityValidator.builder().add(type);
            names.forEach(builder::add);
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), builder.build()));
            TRUSTED_ROOTS.add(type);
        }
    }

    private static void collect(Schema s, Map<Schema, Boolean> seen, List<String> names) {
        if (seen.put(s, Boolean.TRUE) != null) {
            return;
        }
        switch (s.getType()) {
            case RECORD -> {
                names.add(s.getFullName());
                s.getFields().forEach(f -> collect(f.schema(), seen, names));
            }
            case ENUM, FIXED -> names.add(s.getFullName());
            case ARRAY -> collect(s.getElementType(), seen, names);
            case MAP -> collect(s.getValueType(), seen, names);
            case UNION -> s.getTypes().forEach(t -> collect(t, seen, names));
            default -> {
            }
        }
    }
}
