package dev.cordon.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class CompatibilityLevelTest {

    static final Schema V1 = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("id").requiredInt("size").endRecord();
    static final Schema ADD_REQUIRED = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("id").requiredInt("size").requiredString("owner").endRecord();
    static final Schema ADD_WITH_DEFAULT = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("id").requiredInt("size").name("owner").type().stringType().stringDefault("-").endRecord();
    static final Schema DROP_SIZE = SchemaBuilder.record("Thing").namespace("t").fields()
            .requiredString("id").endRecord();

    private static SortedMap<Integer, Schema> versions(Schema... schemas) {
        SortedMap<Integer, Schema> m = new TreeMap<>();
        for (int i = 0; i < schemas.length; i++) {
            m.put(i + 1, schemas[i]);
        }
        return m;
    }

    @Test
    void shouldRefuseANewRequiredFieldWithoutDefaultUnderBackward() {
        assertThat(CompatibilityLevel.BACKWARD.incompatibilities(ADD_REQUIRED, versions(V1)))
                .singleElement().asString()
                .startsWith("BACKWARD: the new schema cannot read data written with version 1: "
                        + "READER_FIELD_MISSING_DEFAULT_VALUE at /fields/2");
    }

    @Test
    void shouldAcceptANewFieldWithDefaultUnderFull() {
        assertThat(CompatibilityLevel.FULL.incompatibilities(ADD_WITH_DEFAULT, versions(V1))).isEmpty();
    }

    @Test
    void shouldAcceptDroppingARequiredFieldUnderBackwardButNotForward() {
        assertThat(CompatibilityLevel.BACKWARD.incompatibilities(DROP_SIZE, versions(V1))).isEmpty();
        assertThat(CompatibilityLevel.FORWARD.incompatibilities(DROP_SIZE, versions(V1)))
                .singleElement().asString().startsWith("FORWARD: version 1 cannot read data written with the new schema");
    }

    @Test
    void shouldAcceptAnythingUnderNone() {
        Schema unrelated = SchemaBuilder.record("Other").fields().requiredLong("x").endRecord();
        assertThat(CompatibilityLevel.NONE.incompatibilities(unrelated, versions(V1))).isEmpty();
    }

    @Test
    void shouldCompareOnlyWithTheLatestUnlessTransitive() {
        // Given v1 {id, size:int}, v2 without size, and a candidate whose size is a string with a default:
        // it reads v2 data (default) but not v1 data (int is not promotable to string)
        Schema candidate = SchemaBuilder.record("Thing").namespace("t").fields()
                .requiredString("id").name("size").type().stringType().stringDefault("").endRecord();

        assertThat(CompatibilityLevel.BACKWARD.incompatibilities(candidate, versions(V1, DROP_SIZE))).isEmpty();
        assertThat(CompatibilityLevel.BACKWARD_TRANSITIVE.incompatibilities(candidate, versions(V1, DROP_SIZE)))
                .singleElement().asString().contains("version 1").contains("TYPE_MISMATCH");
    }

    @Test
    void shouldParseLevelsCaseInsensitivelyAndNameTheValidOnes() {
        assertThat(CompatibilityLevel.parse("full_transitive")).isEqualTo(CompatibilityLevel.FULL_TRANSITIVE);
        assertThatThrownBy(() -> CompatibilityLevel.parse("SIDEWAYS"))
                .hasMessageContaining("Invalid compatibility level 'SIDEWAYS'").hasMessageContaining("FULL_TRANSITIVE");
    }
}
