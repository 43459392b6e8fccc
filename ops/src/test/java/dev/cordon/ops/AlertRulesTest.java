package dev.cordon.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class AlertRulesTest {
    private static final Path RULES = Path.of("prometheus", "cordon-alerts.yml");
    private static final Pattern METRIC = Pattern.compile("\\b((?:cordon|kafka)_[a-z0-9_]+)");

    @Test
    void shouldParseAsPrometheusRuleFileNamingOnlyMetersCordonExports() throws Exception {
        // Given the sample rule file
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());

        // Then it has Prometheus' rule file shape
        assertThat(root.get("groups")).isNotNull();
        assertThat(root.get("groups").isArray()).isTrue();
        Set<String> alerts = new HashSet<>();
        Set<String> referenced = new HashSet<>();
        for (JsonNode group : root.get("groups")) {
            assertThat(group.path("name").asText()).isNotBlank();
            assertThat(group.get("rules").isArray()).isTrue();
            for (JsonNode rule : group.get("rules")) {
                String alert = rule.path("alert").asText();
                assertThat(alert).as("alert name").matches("[A-Z][A-Za-z0-9]+");
                assertThat(alerts.add(alert)).as("unique alert " + alert).isTrue();
                assertThat(rule.path("expr").asText()).as(alert + " expr").isNotBlank();
                if (rule.has("for")) {
                    assertThat(rule.get("for").asText()).as(alert + " for").matches("\\d+[smh]");
                }
                assertThat(rule.path("labels").path("severity").asText()).as(alert + " severity")
                        .isIn("critical", "warning", "info");
                assertThat(rule.path("annotations").path("summary").asText()).as(alert + " summary").isNotBlank();
                Matcher m = METRIC.matcher(rule.get("expr").asText());
                while (m.find()) {
                    referenced.add(m.group(1));
                }
            }
        }
        // And every cordon_* series it reads is one Cordon exports, every kafka_* one Micrometer's binders export
        assertThat(referenced).isSubsetOf(exported());
        // And the alerts the issue asks for are there
        assertThat(alerts).contains("CordonStreamThreadDied", "CordonAuditSinkBehind", "CordonEnforcementDeadLettersRising",
                "CordonAuditDeadLettersRising", "CordonDirectiveToLastRevocationP99High");
    }

    private static Set<String> exported() {
        PrometheusNamingConvention convention = new PrometheusNamingConvention();
        Set<String> names = new HashSet<>();
        for (MetricNames.Meter meter : MetricNames.all()) {
            String base = convention.name(meter.name(), meter.type(), meter.baseUnit());
            for (String suffix : new String[] {"", "_total", "_bucket", "_count", "_sum", "_max"}) {
                names.add(base + suffix);
            }
        }
        names.add("kafka_consumer_fetch_manager_records_lag_max");
        return names;
    }
}
