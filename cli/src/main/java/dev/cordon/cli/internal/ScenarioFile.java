package dev.cordon.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed scenario: a JSON Lines timeline of session events and directive documents
 * (DESIGN.md "Scenario files").
 *
 * <p>Each line is {@code {"atMs": N, "session": {...}}} or {@code {"atMs": N, "directive": {...}}}.
 * Timestamps ({@code occurredAt}, {@code effectiveFrom}, {@code effectiveUntil}) may be written
 * {@code "+<N>ms"}, relative to time 0, which is only known once the pipeline runs: {@link #resolve}
 * turns them into ISO-8601 instants. Steps keep file order for equal {@code atMs}.
 *
 * @param source the file it came from (for messages)
 * @param steps  steps sorted by {@code atMs}, stable
 */
public record ScenarioFile(Path source, List<Step> steps) {

    /** Field names whose values are instants and may be written relative to time 0. */
    static final Set<String> TIMESTAMP_FIELDS = Set.of("occurredAt", "effectiveFrom", "effectiveUntil");

    private static final Pattern RELATIVE = Pattern.compile("^\\+(\\d+)ms$");

    /** The longest timeline a scenario may describe: one hour, in ms. */
    static final long MAX_AT_MS = 3_600_000L;

    /** What a step sends. */
    public enum Kind { SESSION, DIRECTIVE }

    /**
     * One timeline step.
     *
     * @param line the 1-based line number in the file
     * @param atMs when to send it, ms after time 0 (≥ 0)
     * @param kind session event or directive document
     * @param body the event or document, timestamps possibly still relative
     */
    public record Step(int line, long atMs, Kind kind, ObjectNode body) {

        /**
         * Returns a copy of the body with every relative timestamp replaced by an ISO-8601 instant.
         *
         * @param timeZero the wall-clock instant of time 0
         * @return a new object node; the step itself is not changed
         */
        public ObjectNode resolve(Instant timeZero) {
            ObjectNode copy = body.deepCopy();
            resolveInPlace(copy, timeZero);
            return copy;
        }

        /**
         * The instants this step mentions in {@code effectiveFrom} / {@code effectiveUntil}, resolved.
         *
         * @param timeZero the wall-clock instant of time 0
         * @return zero, one or two instants
         */
        public List<Instant> scheduledInstants(Instant timeZero) {
            List<Instant> out = new ArrayList<>();
            ObjectNode resolved = resolve(timeZero);
            for (String f : List.of("effectiveFrom", "effectiveUntil")) {
                JsonNode v = resolved.get(f);
                if (v != null && v.isTextual()) {
                    try {
                        out.add(Instant.parse(v.asText()));
                    } catch (DateTimeParseException ignored) {
                        // ingest will refuse it with a field-named message; nothing is scheduled
                    }
                }
            }
            return out;
        }
    }

    /**
     * Reads and validates a scenario file.
     *
     * @param file   the {@code .jsonl} file
     * @param mapper the JSON mapper
     * @return the scenario, steps sorted by {@code atMs} (stable)
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException naming the line and field when a line is not a valid step
     */
    public static ScenarioFile read(Path file, ObjectMapper mapper) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text (a scenario is JSON Lines in UTF-8)");
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty()) {
                continue;
            }
            int lineNo = i + 1;
            JsonNode node;
            try {
                node = mapper.readTree(text);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": not valid JSON: " + e.getOriginalMessage());
            }
            if (!node.isObject()) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": expected a JSON object with atMs and session or directive");
            }
            JsonNode at = node.get("atMs");
            if (at == null || !at.isIntegralNumber() || !at.canConvertToLong() || at.asLong() < 0 || at.asLong() > MAX_AT_MS) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": `atMs` must be an integer from 0 to " + MAX_AT_MS
                        + " (ms after time 0)");
            }
            boolean hasSession = node.has("session");
            boolean hasDirective = node.has("directive");
            if (hasSession == hasDirective) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": exactly one of `session` or `directive` is required");
            }
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!Set.of("atMs", "session", "directive").contains(name)) {
                    throw new IllegalArgumentException(file + ":" + lineNo + ": unknown field `" + name
                            + "`; valid: atMs, session, directive");
                }
            }
            JsonNode body = hasSession ? node.get("session") : node.get("directive");
            if (!body.isObject()) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": `" + (hasSession ? "session" : "directive")
                        + "` must be a JSON object");
            }
            steps.add(new Step(lineNo, at.asLong(), hasSession ? Kind.SESSION : Kind.DIRECTIVE, (ObjectNode) body));
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException(file + ": no steps; a scenario has one JSON object per line with atMs and session or directive");
        }
        steps.sort(Comparator.comparingLong(Step::atMs)); // List.sort is stable: file order for equal atMs
        return new ScenarioFile(file, List.copyOf(steps));
    }

    /**
     * Checks every session step's JSON form now, so a bad line is reported before the pipeline
     * starts rather than after half the timeline has played. (Directive documents are judged by
     * the ingest API when they are sent, as in production.)
     *
     * @throws IllegalArgumentException naming the file, line and field of the first bad session event
     */
    public void validateSessions() {
        Instant probe = Instant.EPOCH;
        for (Step step : steps) {
            if (step.kind() == Kind.SESSION) {
                try {
                    JsonForms.sessionEvent(step.resolve(probe));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(source + ":" + step.line() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** @return the largest {@code atMs}, or 0 for an empty scenario */
    public long lastAtMs() {
        return steps.isEmpty() ? 0 : steps.get(steps.size() - 1).atMs();
    }

    private static void resolveInPlace(JsonNode node, Instant timeZero) {
        if (node instanceof ObjectNode obj) {
            for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (v.isTextual() && TIMESTAMP_FIELDS.contains(e.getKey())) {
                    Matcher m = RELATIVE.matcher(v.asText());
                    if (m.matches()) {
                        e.setValue(TextNode.valueOf(timeZero.plusMillis(Long.parseLong(m.group(1))).toString()));
                    }
                } else {
                    resolveInPlace(v, timeZero);
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(child -> resolveInPlace(child, timeZero));
        }
    }
}
