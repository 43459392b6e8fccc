package dev.cordon.schemas.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.avro.RevocationCommand;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** Shows the guard of {@link PublishedSchemaEvolutionTest} fails on the mistakes it exists to catch. */
class SchemaEvolutionGuardTest {

    private static final Schema V1 = SchemaBuilder.record("Thing").namespace("dev.cordon.test").fields()
            .requiredString("thingId")
            .name("kind").type(SchemaBuilder.enumeration("Kind").defaultSymbol("UNKNOWN").symbols("UNKNOWN", "A"))
            .noDefault()
            .endRecord();

    @Test
    void shouldReportANewRequiredFieldWithoutDefaultAsNotFullTransitive() {
        // Given a v2 that adds a required field without a default
        Schema v2 = SchemaBuilder.record("Thing").namespace("dev.cordon.test").fields()
                .requiredString("thingId")
                .name("kind").type(V1.getField("kind").schema()).noDefault()
                .requiredString("owner")
                .endRecord();
        SortedMap<Integer, Schema> history = new TreeMap<>();
        history.put(1, V1);

        // When checked
        var violations = SchemaEvolutionGuard.compatibilityViolations("Thing", v2, history);

        // Then the backward direction fails, naming the field and the version
        assertThat(violations).hasSize(1);
        assertThat(violations.get(0))
                .startsWith("Thing: not FULL_TRANSITIVE compatible with schema-history: FULL_TRANSITIVE (BACKWARD): "
                        + "the new schema cannot read data written with version 1: READER_FIELD_MISSING_DEFAULT_VALUE")
                .contains("owner");
    }

    @Test
    void shouldReportAChangedIdTypeInBothDirections() {
        // Given a v2 whose id changed from string to int
        Schema v2 = SchemaBuilder.record("Thing").namespace("dev.cordon.test").fields()
                .requiredInt("thingId")
                .name("kind").type(V1.getField("kind").schema()).noDefault()
                .endRecord();
        SortedMap<Integer, Schema> history = new TreeMap<>();
        history.put(1, V1);

        // When checked
        var violations = SchemaEvolutionGuard.compatibilityViolations("Thing", v2, history);

        // Then neither direction reads the other
        assertThat(violations).anyMatch(v -> v.contains("(BACKWARD)") && v.contains("TYPE_MISMATCH"));
        assertThat(violations).anyMatch(v -> v.contains("(FORWARD)") && v.contains("TYPE_MISMATCH"));
    }

    @Test
    void shouldCheckEveryHistoryVersionNotOnlyTheLatest() {
        // Given v1 = v2 {thingId: string} and a v3 that turns thingId into an int
        Schema v2 = V1;
        Schema v3 = SchemaBuilder.record("Thing").namespace("dev.cordon.test").fields()
                .name("thingId").type().intType().intDefault(0)
                .name("kind").type(V1.getField("kind").schema()).noDefault()
                .endRecord();
        SortedMap<Integer, Schema> history = new TreeMap<>();
        history.put(1, V1);
        history.put(2, v2);

        // When checked
        var violations = SchemaEvolutionGuard.compatibilityViolations("Thing", v3, history);

        // Then both versions are reported, not only the latest
        assertThat(violations).anyMatch(v -> v.contains("version 1"));
        assertThat(violations).anyMatch(v -> v.contains("version 2"));
    }

    @Test
    void shouldReportAnEnumWithoutDefault() {
        Schema bad = SchemaBuilder.record("Thing").namespace("dev.cordon.test").fields()
                .name("kind").type(SchemaBuilder.enumeration("Colour").namespace("dev.cordon.test").symbols("RED", "GREEN")).noDefault()
                .endRecord();

        assertThat(SchemaEvolutionGuard.enumsWithoutDefault(bad))
                .containsExactly("enum dev.cordon.test.Colour has no default symbol: add \"default\" (e.g. \"UNKNOWN\") so "
                        + "readers on an older version can read a symbol added later");
    }

    @Test
    void shouldFindEnumsNestedInArraysMapsAndUnions() {
        Schema inner = SchemaBuilder.enumeration("Deep").symbols("X");
        Schema bad = SchemaBuilder.record("Thing").namespace("dev.cordon.test").fields()
                .name("deep").type().optional().map().values().array().items(inner)
                .endRecord();

        assertThat(SchemaEvolutionGuard.enumsWithoutDefault(bad)).singleElement().asString().contains("Deep");
    }

    @Test
    void shouldReportANullableRequiredId() {
        Schema bad = SchemaBuilder.record("Thing").namespace("dev.cordon.test").fields()
                .optionalString("thingId")
                .endRecord();

        assertThat(SchemaEvolutionGuard.nullableRequiredIds(bad, Set.of("thingId", "otherId")))
                .containsExactlyInAnyOrder(
                        "dev.cordon.test.Thing.thingId is a required id but its type [\"null\",\"string\"] allows null",
                        "dev.cordon.test.Thing.otherId is a required id but the field is missing");
    }

    @Test
    void shouldTreatDocAndJavaStringPropsAsTheSamePublishedSchema() {
        Schema withoutProps = new Schema.Parser().parse(RevocationCommand.getClassSchema().toString()
                .replace(",\"avro.java.string\":\"String\"", "")
                .replace("\"doc\":\"A command for gateways", "\"doc\":\"Changed wording. A command for gateways"));

        assertThat(SchemaEvolutionGuard.samePublishedSchema(RevocationCommand.getClassSchema(), withoutProps)).isTrue();
        assertThat(SchemaEvolutionGuard.samePublishedSchema(RevocationCommand.getClassSchema(),
                new Schema.Parser().parse(RevocationCommand.getClassSchema().toString().replace("\"attempt\"", "\"attempts\""))))
                .isFalse();
    }
}
