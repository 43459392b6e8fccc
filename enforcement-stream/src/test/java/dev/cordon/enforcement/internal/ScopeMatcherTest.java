package dev.cordon.enforcement.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.avro.Condition;
import dev.cordon.avro.ConditionGroup;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.Scope;
import dev.cordon.avro.Subject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DESIGN.md "Coverage", rule by rule. */
class ScopeMatcherTest {
    private static final Subject GERMAN_CUSTOMER = Subject.newBuilder().setUserId("u1").setOrgId("acme")
            .setNationality(List.of("DE")).setResidenceCountry("DE").setLocationCountry("FR")
            .setRole(List.of("customer")).setAttributes(Map.of("tier", "gold")).build();
    private static final Subject DUAL_EMPLOYEE = Subject.newBuilder().setUserId("e1").setOrgId("lab")
            .setNationality(List.of("DE", "US")).setResidenceCountry("US").setLocationCountry("US")
            .setRole(List.of("employee", "researcher")).setAttributes(Map.of()).build();
    private static final Subject STATELESS = Subject.newBuilder().setUserId("x").setOrgId(null)
            .setNationality(List.of()).setResidenceCountry(null).setLocationCountry(null)
            .setRole(List.of()).setAttributes(Map.of()).build();

    private static Condition cond(String attribute, ConditionOp op, String... values) {
        return Condition.newBuilder().setAttribute(attribute).setOp(op).setValues(Arrays.asList(values)).build();
    }

    private static ConditionGroup group(Condition... all) {
        return ConditionGroup.newBuilder().setAll(Arrays.asList(all)).build();
    }

    private static Scope scope(List<String> resources, List<ConditionGroup> subjects, List<ConditionGroup> exempt) {
        return Scope.newBuilder().setResources(resources).setSubjects(subjects).setExempt(exempt).build();
    }

    @Test
    void shouldCoverOnlyListedResourcesOrAllWithStar() {
        Scope listed = scope(List.of("fable-5"), List.of(), List.of());
        Scope star = scope(List.of("*"), List.of(), List.of());

        assertThat(ScopeMatcher.match(listed, "fable-5", GERMAN_CUSTOMER)).contains("*");
        assertThat(ScopeMatcher.match(listed, "haiku-4", GERMAN_CUSTOMER)).isEmpty();
        assertThat(ScopeMatcher.match(star, "haiku-4", GERMAN_CUSTOMER)).contains("*");
    }

    @Test
    void shouldTreatEmptySubjectsAsEveryone() {
        assertThat(ScopeMatcher.match(scope(List.of("r"), List.of(), List.of()), "r", STATELESS)).contains(ScopeMatcher.EVERYONE);
    }

    @Test
    void shouldMatchListAttributeInWhenAnyElementIsListed() {
        Scope us = scope(List.of("r"), List.of(group(cond("nationality", ConditionOp.IN, "US"))), List.of());

        assertThat(ScopeMatcher.match(us, "r", DUAL_EMPLOYEE)).contains("nationality IN [US]");
        assertThat(ScopeMatcher.match(us, "r", GERMAN_CUSTOMER)).isEmpty();
    }

    @Test
    void shouldMatchListAttributeNotInOnlyWhenNoElementIsListed() {
        Scope foreign = scope(List.of("r"), List.of(group(cond("nationality", ConditionOp.NOT_IN, "US"))), List.of());

        assertThat(ScopeMatcher.match(foreign, "r", GERMAN_CUSTOMER)).contains("nationality NOT_IN [US]");
        assertThat(ScopeMatcher.match(foreign, "r", DUAL_EMPLOYEE)).isEmpty();
    }

    @Test
    void shouldTreatAbsentAttributeAsNoElementsSoNotInHolds() {
        Scope foreign = scope(List.of("r"), List.of(group(cond("nationality", ConditionOp.NOT_IN, "US"))), List.of());
        Scope inOrg = scope(List.of("r"), List.of(group(cond("orgId", ConditionOp.IN, "acme"))), List.of());

        assertThat(ScopeMatcher.match(foreign, "r", STATELESS)).isPresent();
        assertThat(ScopeMatcher.match(inOrg, "r", STATELESS)).isEmpty();
    }

    @Test
    void shouldRequireAllConditionsOfAGroupAndAnyGroup() {
        Scope s = scope(List.of("r"), List.of(
                group(cond("role", ConditionOp.IN, "employee"), cond("residenceCountry", ConditionOp.IN, "DE")),
                group(cond("locationCountry", ConditionOp.IN, "FR"), cond("attr.tier", ConditionOp.IN, "gold"))), List.of());

        assertThat(ScopeMatcher.match(s, "r", DUAL_EMPLOYEE)).isEmpty();
        assertThat(ScopeMatcher.match(s, "r", GERMAN_CUSTOMER)).contains("locationCountry IN [FR] AND attr.tier IN [gold]");
    }

    @Test
    void shouldNameFirstMatchingGroupInDocumentOrder() {
        Scope s = scope(List.of("r"), List.of(
                group(cond("userId", ConditionOp.IN, "nobody")),
                group(cond("role", ConditionOp.IN, "researcher", "employee")),
                group(cond("nationality", ConditionOp.IN, "DE"))), List.of());

        assertThat(ScopeMatcher.match(s, "r", DUAL_EMPLOYEE)).contains("role IN [researcher, employee]");
    }

    @Test
    void shouldExcludeSubjectsOfAnyExemptGroup() {
        Scope everyoneButEmployees = scope(List.of("r"), List.of(), List.of(group(cond("role", ConditionOp.IN, "employee"))));

        assertThat(ScopeMatcher.match(everyoneButEmployees, "r", DUAL_EMPLOYEE)).isEmpty();
        assertThat(ScopeMatcher.match(everyoneButEmployees, "r", GERMAN_CUSTOMER)).contains("*");
    }

    @Test
    void shouldCompareCountriesUpperCase() {
        Scope german = scope(List.of("r"), List.of(group(cond("nationality", ConditionOp.IN, "de"))), List.of());
        Subject lowerCase = Subject.newBuilder(GERMAN_CUSTOMER).setNationality(List.of("de")).build();
        Scope byUser = scope(List.of("r"), List.of(group(cond("userId", ConditionOp.IN, "U1"))), List.of());

        assertThat(ScopeMatcher.match(german, "r", GERMAN_CUSTOMER)).isPresent();
        assertThat(ScopeMatcher.match(german, "r", lowerCase)).isPresent();
        assertThat(ScopeMatcher.match(byUser, "r", GERMAN_CUSTOMER)).as("non-country values are exact").isEmpty();
    }

    @Test
    void shouldKnowItsAttributes() {
        assertThat(ScopeMatcher.isKnownAttribute("nationality")).isTrue();
        assertThat(ScopeMatcher.isKnownAttribute("attr.tier")).isTrue();
        assertThat(ScopeMatcher.isKnownAttribute("attr.")).isFalse();
        assertThat(ScopeMatcher.isKnownAttribute("shoeSize")).isFalse();
    }
}
