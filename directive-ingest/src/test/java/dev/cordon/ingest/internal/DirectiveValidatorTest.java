package dev.cordon.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveMode;
import dev.cordon.avro.EnforcementKind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirectiveValidatorTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00.123456Z");
    private final DirectiveValidator validator = new DirectiveValidator();

    static ObjectNode restrict() {
        return (ObjectNode) parse("""
                {"directiveId": "BIS-2026-AI-001", "revision": 1, "action": "RESTRICT", "issuer": "us-bis",
                 "legalBasis": "15 CFR 744.23 (interim order)", "reason": "Restrict access to frontier models",
                 "mode": "ENFORCE", "enforcement": "REVOKE_AND_DENY", "effectiveFrom": "2026-11-26T12:00:00Z",
                 "effectiveUntil": null,
                 "scope": {"resources": ["fable-5", "mythos-5"],
                           "subjects": [{"all": [{"attribute": "nationality", "op": "NOT_IN", "values": ["US"]}]}],
                           "exempt": []}}
                """);
    }

    static ObjectNode lift() {
        return (ObjectNode) parse("""
                {"directiveId": "BIS-2026-AI-001", "revision": 2, "action": "LIFT", "issuer": "us-bis",
                 "reason": "Interim order withdrawn"}
                """);
    }

    private static JsonNode parse(String json) {
        try {
            return DirectiveJson.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private RefusedException refuse(JsonNode document) {
        RefusedException e = catchThrowableOfType(RefusedException.class, () -> validator.validate(document, NOW));
        assertThat(e).as("refusal of %s", document).isNotNull();
        return e;
    }

    private static ObjectNode firstCondition(ObjectNode doc) {
        return (ObjectNode) doc.get("scope").get("subjects").get(0).get("all").get(0);
    }

    @Test
    void shouldAcceptTheDesignExampleAsIs() throws Exception {
        // Given the example of DESIGN.md "Directive document"
        // When
        ValidatedDirective d = validator.validate(restrict(), NOW);
        // Then
        assertThat(d.directiveId()).isEqualTo("BIS-2026-AI-001");
        assertThat(d.revision()).isEqualTo(1);
        assertThat(d.action()).isEqualTo(DirectiveAction.RESTRICT);
        assertThat(d.effectiveFrom()).isEqualTo(Instant.parse("2026-11-26T12:00:00Z"));
        assertThat(d.effectiveUntil()).isNull();
        assertThat(d.scope().getResources()).containsExactly("fable-5", "mythos-5");
        assertThat(d.scope().getSubjects().get(0).getAll().get(0).getOp()).isEqualTo(ConditionOp.NOT_IN);
        assertThat(d.scope().getExempt()).isEmpty();
    }

    @Test
    void shouldApplyDefaultsWhenOptionalFieldsAreLeftOut() throws Exception {
        // Given a RESTRICT with only the required fields
        ObjectNode doc = (ObjectNode) parse("""
                {"directiveId": "D-1", "action": "RESTRICT", "issuer": "i", "legalBasis": "lb", "reason": "r",
                 "scope": {"resources": ["*"]}}
                """);
        // When
        ValidatedDirective d = validator.validate(doc, NOW);
        // Then revision 1, ENFORCE, REVOKE_AND_DENY, effectiveFrom = acceptance time (ms), empty groups
        assertThat(d.revision()).isEqualTo(1);
        assertThat(d.mode()).isEqualTo(DirectiveMode.ENFORCE);
        assertThat(d.enforcement()).isEqualTo(EnforcementKind.REVOKE_AND_DENY);
        assertThat(d.effectiveFrom()).isEqualTo(Instant.parse("2026-11-26T12:00:00.123Z"));
        assertThat(d.scope().getSubjects()).isEmpty();
        assertThat(d.scope().getExempt()).isEmpty();
    }

    @Test
    void shouldStoreCountryCodesUpperCaseWhateverCaseTheyWereWrittenIn() throws Exception {
        // Given
        ObjectNode doc = restrict();
        ((ArrayNode) firstCondition(doc).get("values")).removeAll().add("us").add("De").add(" gb ");
        // When
        ValidatedDirective d = validator.validate(doc, NOW);
        // Then
        assertThat(d.scope().getSubjects().get(0).getAll().get(0).getValues()).containsExactly("US", "DE", "GB");
    }

    @Test
    void shouldKeepNonCountryValuesAsWritten() throws Exception {
        // Given
        ObjectNode doc = restrict();
        firstCondition(doc).put("attribute", "role");
        ((ArrayNode) firstCondition(doc).get("values")).removeAll().add("Employee");
        // When
        ValidatedDirective d = validator.validate(doc, NOW);
        // Then
        assertThat(d.scope().getSubjects().get(0).getAll().get(0).getValues()).containsExactly("Employee");
    }

    @Test
    void shouldRefuseUkWithAHintToGbNamingTheFullPath() {
        // Given the example of STYLE.md point 11
        ObjectNode doc = restrict();
        ArrayNode all = (ArrayNode) doc.get("scope").get("subjects").get(0).get("all");
        all.addObject().put("attribute", "residenceCountry").put("op", "IN").putArray("values").add("UK");
        // When
        RefusedException e = refuse(doc);
        // Then
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("scope.subjects[0].all[1].values[0]");
            assertThat(error.error()).isEqualTo("`scope.subjects[0].all[1].values[0]`: `UK` is not an assigned "
                    + "ISO 3166-1 alpha-2 code; did you mean `GB`?");
        });
    }

    @Test
    void shouldRefuseElWithAHintToGr() {
        ObjectNode doc = restrict();
        ((ArrayNode) firstCondition(doc).get("values")).removeAll().add("el");
        RefusedException e = refuse(doc);
        assertThat(e.errors().get(0).error()).contains("`el` is not an assigned").endsWith("did you mean `GR`?");
    }

    @Test
    void shouldSuggestTheAlpha2CodeForAnAlpha3Code() {
        ObjectNode doc = restrict();
        ((ArrayNode) firstCondition(doc).get("values")).removeAll().add("DEU");
        RefusedException e = refuse(doc);
        assertThat(e.errors().get(0).error()).endsWith("did you mean `DE`?");
    }

    @Test
    void shouldRefuseUserAssignedXkForLocationCountry() {
        ObjectNode doc = restrict();
        firstCondition(doc).put("attribute", "locationCountry");
        ((ArrayNode) firstCondition(doc).get("values")).removeAll().add("XK");
        RefusedException e = refuse(doc);
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errors().get(0).field()).isEqualTo("scope.subjects[0].all[0].values[0]");
    }

    @Test
    void shouldRefuseMalformedTypeOfRevisionWith400() {
        ObjectNode doc = restrict();
        doc.put("revision", "2");
        RefusedException e = refuse(doc);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.errors().get(0).field()).isEqualTo("revision");
    }

    @Test
    void shouldRefuseAFractionalRevisionWith400() {
        ObjectNode doc = restrict();
        doc.put("revision", 1.5);
        assertThat(refuse(doc).status()).isEqualTo(400);
    }

    @Test
    void shouldRefuseADocumentThatIsNotAnObject() {
        RefusedException e = refuse(parse("[1, 2]"));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.errors().get(0).field()).isEqualTo("$");
    }

    @Test
    void shouldRefuseUnknownTopLevelFieldWithAHint() {
        ObjectNode doc = restrict();
        doc.put("legalbasis", "x");
        RefusedException e = refuse(doc);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.errors()).singleElement().satisfies(error -> {
            assertThat(error.field()).isEqualTo("legalbasis");
            assertThat(error.error()).contains("unknown field").endsWith("did you mean `legalBasis`?");
        });
    }

    @Test
    void shouldRefuseUnknownFieldsAtEveryDepth() {
        // Given unknown fields in scope, in a group and in a condition
        ObjectNode doc = restrict();
        ((ObjectNode) doc.get("scope")).put("resource", "x");
        ((ObjectNode) doc.get("scope").get("subjects").get(0)).put("any", "x");
        firstCondition(doc).put("value", "x");
        // When
        RefusedException e = refuse(doc);
        // Then
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.errors()).extracting(ApiError::field)
                .containsExactly("scope.resource", "scope.subjects[0].any", "scope.subjects[0].all[0].value");
    }

    @Test
    void shouldRefuseARestrictMissingEachRequiredField() {
        for (String field : List.of("directiveId", "action", "issuer", "legalBasis", "reason")) {
            ObjectNode doc = restrict();
            doc.remove(field);
            RefusedException e = refuse(doc);
            assertThat(e.status()).as(field).isEqualTo(422);
            assertThat(e.errors()).as(field).extracting(ApiError::field).containsExactly(field);
            assertThat(e.errors().get(0).error()).as(field).contains("is required");
        }
    }

    @Test
    void shouldRefuseARestrictWithoutResources() {
        ObjectNode noScope = restrict();
        noScope.remove("scope");
        assertThat(refuse(noScope).errors()).extracting(ApiError::field).containsExactly("scope.resources");

        ObjectNode noResources = restrict();
        ((ObjectNode) noResources.get("scope")).remove("resources");
        RefusedException e = refuse(noResources);
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errors()).extracting(ApiError::field).containsExactly("scope.resources");
    }

    @Test
    void shouldRefuseEmptyResources() {
        ObjectNode doc = restrict();
        ((ObjectNode) doc.get("scope")).putArray("resources");
        RefusedException e = refuse(doc);
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errors().get(0).field()).isEqualTo("scope.resources");
        assertThat(e.errors().get(0).error()).contains("at least one resource");
    }

    @Test
    void shouldRefuseAnEmptyAllGroup() {
        ObjectNode doc = restrict();
        ((ArrayNode) doc.get("scope").get("exempt")).addObject().putArray("all");
        RefusedException e = refuse(doc);
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errors().get(0).field()).isEqualTo("scope.exempt[0].all");
    }

    @Test
    void shouldRefuseEmptyValues() {
        ObjectNode doc = restrict();
        firstCondition(doc).putArray("values");
        RefusedException e = refuse(doc);
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errors().get(0).field()).isEqualTo("scope.subjects[0].all[0].values");
    }

    @Test
    void shouldRefuseAnUnknownAttributeWithAHint() {
        ObjectNode doc = restrict();
        firstCondition(doc).put("attribute", "Nationality");
        RefusedException e = refuse(doc);
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errors().get(0).field()).isEqualTo("scope.subjects[0].all[0].attribute");
        assertThat(e.errors().get(0).error()).contains("`Nationality` is not a known attribute")
                .endsWith("did you mean `nationality`?");
    }

    @Test
    void shouldAcceptFreeAttributesButRefuseAnEmptyFreeAttributeName() throws Exception {
        ObjectNode ok = restrict();
        firstCondition(ok).put("attribute", "attr.clearance");
        assertThat(validator.validate(ok, NOW).scope().getSubjects().get(0).getAll().get(0).getAttribute())
                .isEqualTo("attr.clearance");

        ObjectNode bad = restrict();
        firstCondition(bad).put("attribute", "attr.");
        assertThat(refuse(bad).errors().get(0).field()).isEqualTo("scope.subjects[0].all[0].attribute");
    }

    @Test
    void shouldRefuseUnknownOpActionModeAndEnforcement() {
        ObjectNode badOp = restrict();
        firstCondition(badOp).put("op", "EQUALS");
        assertThat(refuse(badOp).errors()).extracting(ApiError::field).containsExactly("scope.subjects[0].all[0].op");

        ObjectNode badAction = restrict();
        badAction.put("action", "restrict");
        RefusedException e = refuse(badAction);
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errors().get(0).error()).endsWith("did you mean `RESTRICT`?");

        ObjectNode badMode = restrict();
        badMode.put("mode", "PREVIEW");
        assertThat(refuse(badMode).errors()).extracting(ApiError::field).containsExactly("mode");

        ObjectNode badEnforcement = restrict();
        badEnforcement.put("enforcement", "DENY");
        assertThat(refuse(badEnforcement).errors()).extracting(ApiError::field).containsExactly("enforcement");
    }

    @Test
    void shouldRefuseARevisionBelowOne() {
        for (int revision : new int[] {0, -3}) {
            ObjectNode doc = restrict();
            doc.put("revision", revision);
            RefusedException e = refuse(doc);
            assertThat(e.status()).isEqualTo(422);
            assertThat(e.errors().get(0).field()).isEqualTo("revision");
        }
        ObjectNode tooBig = restrict();
        tooBig.put("revision", 3_000_000_000L);
        assertThat(refuse(tooBig).status()).isEqualTo(422);
    }

    @Test
    void shouldRefuseEffectiveUntilNotAfterEffectiveFrom() {
        ObjectNode equal = restrict();
        equal.put("effectiveUntil", "2026-11-26T12:00:00Z");
        RefusedException e = refuse(equal);
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errors().get(0).field()).isEqualTo("effectiveUntil");
        assertThat(e.errors().get(0).error()).contains("is not after `effectiveFrom`");

        ObjectNode beforeDefaultFrom = restrict();
        beforeDefaultFrom.remove("effectiveFrom");
        beforeDefaultFrom.put("effectiveUntil", "2026-11-26T11:00:00Z");
        assertThat(refuse(beforeDefaultFrom).errors().get(0).error()).contains("the acceptance time");
    }

    @Test
    void shouldRefuseTimestampsThatAreNotIsoInstants() {
        for (String bad : List.of("2026-11-26", "2026-11-26T12:00:00", "tomorrow", "1764158400000")) {
            ObjectNode doc = restrict();
            doc.put("effectiveFrom", bad);
            RefusedException e = refuse(doc);
            assertThat(e.status()).as(bad).isEqualTo(422);
            assertThat(e.errors().get(0).field()).as(bad).isEqualTo("effectiveFrom");
        }
        ObjectNode number = restrict();
        number.put("effectiveFrom", 1764158400000L);
        assertThat(refuse(number).status()).isEqualTo(400);
    }

    @Test
    void shouldAcceptInstantsWithAnOffset() throws Exception {
        ObjectNode doc = restrict();
        doc.put("effectiveFrom", "2026-11-26T13:00:00+01:00");
        doc.put("effectiveUntil", "2026-11-27T12:00:00.5Z");
        ValidatedDirective d = validator.validate(doc, NOW);
        assertThat(d.effectiveFrom()).isEqualTo(Instant.parse("2026-11-26T12:00:00Z"));
        assertThat(d.effectiveUntil()).isEqualTo(Instant.parse("2026-11-27T12:00:00.500Z"));
    }

    @Test
    void shouldAcceptALiftWithoutScopeOrLegalBasis() throws Exception {
        ValidatedDirective d = validator.validate(lift(), NOW);
        assertThat(d.action()).isEqualTo(DirectiveAction.LIFT);
        assertThat(d.revision()).isEqualTo(2);
        assertThat(d.scope()).isNull();
        assertThat(d.legalBasis()).isNull();
    }

    @Test
    void shouldRefuseALiftMissingEachRequiredField() {
        for (String field : List.of("directiveId", "revision", "issuer", "reason")) {
            ObjectNode doc = lift();
            doc.remove(field);
            RefusedException e = refuse(doc);
            assertThat(e.status()).as(field).isEqualTo(422);
            assertThat(e.errors()).as(field).extracting(ApiError::field).containsExactly(field);
            assertThat(e.errors().get(0).error()).as(field).contains("is required for a LIFT");
        }
    }

    @Test
    void shouldRefuseAScopeOnALift() {
        ObjectNode doc = lift();
        doc.set("scope", restrict().get("scope"));
        RefusedException e = refuse(doc);
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errors()).extracting(ApiError::field).containsExactly("scope");
    }

    @Test
    void shouldReportEveryErrorWithTheLowestStatus() {
        // Given a shape error (400) and a semantic error (422)
        ObjectNode doc = restrict();
        doc.put("extra", true);
        doc.put("revision", 0);
        // When
        RefusedException e = refuse(doc);
        // Then
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.errors()).extracting(ApiError::field).containsExactly("extra", "revision");
    }

    @Test
    void shouldRefuseWrongJsonTypesWith400() {
        ObjectNode resourcesString = restrict();
        ((ObjectNode) resourcesString.get("scope")).put("resources", "fable-5");
        assertThat(refuse(resourcesString).status()).isEqualTo(400);

        ObjectNode issuerNumber = restrict();
        issuerNumber.put("issuer", 7);
        RefusedException e = refuse(issuerNumber);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.errors()).extracting(ApiError::field).containsExactly("issuer");

        ObjectNode valueNumber = restrict();
        ((ArrayNode) firstCondition(valueNumber).get("values")).removeAll().add(1);
        assertThat(refuse(valueNumber).errors()).extracting(ApiError::field)
                .containsExactly("scope.subjects[0].all[0].values[0]");
    }

    @Test
    void shouldRefuseADirectiveIdThatCannotBeAKeyOrPathSegment() {
        ObjectNode doc = restrict();
        doc.put("directiveId", "a/b c");
        RefusedException e = refuse(doc);
        assertThat(e.status()).isEqualTo(422);
        assertThat(e.errors().get(0).field()).isEqualTo("directiveId");
    }
}
