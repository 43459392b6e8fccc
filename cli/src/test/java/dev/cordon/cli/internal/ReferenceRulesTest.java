package dev.cordon.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ReferenceRulesTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private JsonNode json(String s) throws Exception {
        return mapper.readTree(s);
    }

    private static final String FOREIGN = """
            {"scope": {"resources": ["fable-5"], "subjects": [{"all": [{"attribute": "nationality", "op": "NOT_IN", "values": ["us"]}]}],
             "exempt": [{"all": [{"attribute": "role", "op": "IN", "values": ["employee"]}]}]}}""";

    @Test
    void shouldCoverAForeignNationalOnAListedResource() throws Exception {
        assertThat(ReferenceRules.covers(json(FOREIGN), "fable-5", json("{\"nationality\": [\"DE\"], \"role\": [\"customer\"]}"))).isTrue();
    }

    @Test
    void shouldNotCoverADualNationalWithUsNationalityUnderNotInUs() throws Exception {
        assertThat(ReferenceRules.covers(json(FOREIGN), "fable-5", json("{\"nationality\": [\"DE\", \"US\"]}"))).isFalse();
    }

    @Test
    void shouldCoverWhenNationalityIsAbsentBecauseNotInFailsClosed() throws Exception {
        assertThat(ReferenceRules.covers(json(FOREIGN), "fable-5", json("{\"userId\": \"u\"}"))).isTrue();
    }

    @Test
    void shouldNotCoverAnExemptEmployee() throws Exception {
        assertThat(ReferenceRules.covers(json(FOREIGN), "fable-5", json("{\"nationality\": [\"DE\"], \"role\": [\"employee\", \"x\"]}")))
                .isFalse();
    }

    @Test
    void shouldNotCoverAnotherResourceButAWildcardCoversEveryResource() throws Exception {
        assertThat(ReferenceRules.covers(json(FOREIGN), "haiku-4", json("{\"nationality\": [\"DE\"]}"))).isFalse();
        assertThat(ReferenceRules.covers(json("{\"scope\": {\"resources\": [\"*\"], \"subjects\": []}}"), "haiku-4", json("{}")))
                .isTrue();
    }

    @Test
    void shouldMatchFreeAttributesExactly() throws Exception {
        JsonNode d = json("{\"scope\": {\"resources\": [\"*\"], \"subjects\": [{\"all\": [{\"attribute\": \"attr.tier\", \"op\": \"IN\", \"values\": [\"gold\"]}]}]}}");
        assertThat(ReferenceRules.covers(d, "r", json("{\"attributes\": {\"tier\": \"gold\"}}"))).isTrue();
        assertThat(ReferenceRules.covers(d, "r", json("{\"attributes\": {\"tier\": \"GOLD\"}}"))).isFalse();
    }
}
