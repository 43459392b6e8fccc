package dev.cordon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** CORDON_LOG_FORMAT=json: one JSON object per line on stderr, with the directive and session ids as fields. */
class JsonLogsTest {

    private String statusText;

    private static String statuses(LoggerContext context) {
        StringBuilder sb = new StringBuilder();
        context.getStatusManager().getCopyOfStatusList().forEach(st -> sb.append(st).append('\n'));
        return sb.toString();
    }

    @Test
    void shouldWriteOneJsonObjectPerLineWithDirectiveAndSessionIdsAsFields() throws Exception {
        // Given logback configured from the JSON configuration the launcher selects, writing to a captured stderr
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // a fresh context has none
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(getClass().getResource("/logback-json.xml"));

            // When a Cordon component logs a decision with key-value fields
            context.getLogger("dev.cordon.enforcement.internal.Enforcer").atInfo()
                    .addKeyValue("sessionId", "s-1").addKeyValue("directiveId", "BIS-1")
                    .log("REVOKE {} attempt {}", "s-1", 1);
            statusText = statuses(context);
        } finally {
            System.setErr(original);
        }
        context.stop();

        // Then stderr holds one JSON object naming the fields
        String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\\R");
        assertThat(lines).as("stderr: %s; logback status: %s", captured, statuses(context)).hasSize(1);
        JsonNode log = new ObjectMapper().readTree(lines[0]);
        assertThat(log.has("level")).as("log line: %s; status: %s", lines[0], statusText).isTrue();
        assertThat(log.get("level").asText()).isEqualTo("INFO");
        assertThat(log.get("formattedMessage").asText()).isEqualTo("REVOKE s-1 attempt 1");
        assertThat(log.get("kvpList").toString()).contains("\"sessionId\":\"s-1\"").contains("\"directiveId\":\"BIS-1\"");
    }
}
