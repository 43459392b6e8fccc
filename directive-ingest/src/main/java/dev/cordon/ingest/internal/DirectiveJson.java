package dev.cordon.ingest.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.avro.Condition;
import dev.cordon.avro.ConditionGroup;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.Scope;
import java.util.List;

/**
 * JSON forms of directives: the strict parser for request bodies and the directive document
 * (DESIGN.md "Directive document") rendered back from a published {@link DirectiveChange}, with every default
 * made explicit.
 */
public final class DirectiveJson {
    /**
     * Strict: duplicate keys and trailing content after the document are syntax errors (400), so that what
     * was validated is exactly what the client sent.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private DirectiveJson() {
    }

    /** @return the directive document of {@code change} (no changeId, acceptedAt or principal) */
    public static ObjectNode document(DirectiveChange change) {
        ObjectNode doc = MAPPER.createObjectNode();
        doc.put("directiveId", change.getDirectiveId());
        doc.put("revision", change.getRevision());
        doc.put("action", change.getAction().name());
        doc.put("issuer", change.getIssuer());
        if (change.getLegalBasis() != null) {
            doc.put("legalBasis", change.getLegalBasis());
        }
        doc.put("reason", change.getReason());
        doc.put("mode", change.getMode().name());
        doc.put("enforcement", change.getEnforcement().name());
        doc.put("effectiveFrom", change.getEffectiveFrom().toString());
        if (change.getEffectiveUntil() != null) {
            doc.put("effectiveUntil", change.getEffectiveUntil().toString());
        } else {
            doc.putNull("effectiveUntil");
        }
        Scope scope = change.getScope();
        if (scope != null) {
            ObjectNode s = doc.putObject("scope");
            ArrayNode resources = s.putArray("resources");
            scope.getResources().forEach(resources::add);
            groups(s.putArray("subjects"), scope.getSubjects());
            groups(s.putArray("exempt"), scope.getExempt());
        }
        return doc;
    }

    private static void groups(ArrayNode target, List<ConditionGroup> groups) {
        for (ConditionGroup group : groups) {
            ArrayNode all = target.addObject().putArray("all");
            for (Condition condition : group.getAll()) {
                ObjectNode c = all.addObject();
                c.put("attribute", condition.getAttribute());
                c.put("op", condition.getOp().name());
                ArrayNode values = c.putArray("values");
                condition.getValues().forEach(values::add);
            }
        }
    }
}
