package dev.cordon.schemas.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.SessionEvent;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Build-time guard of the published Avro contracts (DESIGN.md, "Avro"): every current schema is
 * FULL_TRANSITIVE compatible with every earlier published version kept under
 * {@code src/test/resources/schema-history/<RecordName>/v<N>.avsc}, every enum has a default, and
 * the required ids are non-nullable. When you publish a changed schema, add it as the next
 * {@code v<N+1>.avsc} (self-contained; named types inlined).
 */
class PublishedSchemaEvolutionTest {

    static Stream<Arguments> publishedRecords() {
        return Stream.of(
                Arguments.of(DirectiveChange.getClassSchema(), Set.of("changeId", "directiveId")),
                Arguments.of(SessionEvent.getClassSchema(), Set.of("sessionId")),
                Arguments.of(RevocationCommand.getClassSchema(), Set.of("commandId", "sessionId", "directiveId")),
                Arguments.of(DirectiveImpact.getClassSchema(), Set.of("directiveId")),
                Arguments.of(AuditEvent.getClassSchema(), Set.of("eventId")));
    }

    private static SortedMap<Integer, Schema> history(Schema current) throws URISyntaxException {
        Path root = Path.of(PublishedSchemaEvolutionTest.class.getResource("/schema-history").toURI());
        return SchemaEvolutionGuard.loadHistory(root.resolve(current.getName()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishedRecords")
    void shouldBeFullTransitiveCompatibleWithEveryPublishedVersion(Schema current, Set<String> ids) throws Exception {
        // Given every published version of the record
        SortedMap<Integer, Schema> history = history(current);
        assertThat(history).as("schema-history/%s/v1.avsc must exist", current.getName()).containsKey(1);

        // When the current schema is checked against all of them, both directions
        var violations = SchemaEvolutionGuard.compatibilityViolations(current.getName(), current, history);

        // Then nothing is incompatible
        assertThat(violations).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishedRecords")
    void shouldGiveEveryEnumADefaultSymbol(Schema current, Set<String> ids) {
        assertThat(SchemaEvolutionGuard.enumsWithoutDefault(current)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishedRecords")
    void shouldKeepRequiredIdsNonNullable(Schema current, Set<String> ids) {
        assertThat(SchemaEvolutionGuard.nullableRequiredIds(current, ids)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishedRecords")
    void shouldRecordTheCurrentSchemaAsTheNewestHistoryVersion(Schema current, Set<String> ids) throws Exception {
        // Given the newest recorded version
        SortedMap<Integer, Schema> history = history(current);
        int newest = history.lastKey();

        // Then the current schema is it: a changed schema must be recorded as the next version
        assertThat(SchemaEvolutionGuard.samePublishedSchema(current, history.get(newest)))
                .as("%s differs from schema-history/%s/v%d.avsc: once it is published, add it as v%d.avsc",
                        current.getFullName(), current.getName(), newest, newest + 1)
                .isTrue();
    }
}
