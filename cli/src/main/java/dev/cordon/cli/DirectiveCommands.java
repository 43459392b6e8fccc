package dev.cordon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cordon.cli.internal.IngestClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cordon directive …}: the operators' CLI of the ingest API (issue 6 point 7). Every subcommand prints a
 * readable table, or the API's JSON with {@code --output json}. Exit codes: 0 the API accepted the request,
 * 1 the API refused it (the error is printed, naming the field), 2 bad usage or an unreadable file.
 *
 * <p>Connection: {@code --url} (default {@code $CORDON_INGEST_URL}, else {@code http://127.0.0.1:8080}); the bearer
 * token from {@code --token-file} or {@code $CORDON_TOKEN} (never a command-line argument: it would show in the
 * process list). Every POST carries an {@code Idempotency-Key} ({@code --idempotency-key}, default a fresh UUID),
 * so the same command line re-run with the same key is answered with the first answer.
 */
@Command(name = "directive", mixinStandardHelpOptions = true,
        description = "Issue, approve, lift, preview and inspect directives through the ingest API.",
        subcommands = {DirectiveCommands.Issue.class, DirectiveCommands.Approve.class, DirectiveCommands.Lift.class,
                DirectiveCommands.Preview.class, DirectiveCommands.Status.class, DirectiveCommands.ListAll.class})
public final class DirectiveCommands implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Connection and output options shared by every subcommand. */
    public static final class Api {
        @Option(names = "--url", paramLabel = "URL", description = "Ingest base URL (default $CORDON_INGEST_URL or http://127.0.0.1:8080).")
        String url;
        @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the bearer token (default: $CORDON_TOKEN).")
        Path tokenFile;
        @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table",
                description = "Output format: table (default) or json (the API's answer, for scripts).")
        String output;
        @Option(names = "--idempotency-key", paramLabel = "KEY", description = "Idempotency-Key of a POST (default: a new UUID).")
        String idempotencyKey;

        final ObjectMapper mapper = new ObjectMapper();

        IngestClient client() throws IOException {
            String base = url != null ? url : System.getenv().getOrDefault("CORDON_INGEST_URL", "http://127.0.0.1:8080");
            String token;
            if (tokenFile != null) {
                if (!Files.isRegularFile(tokenFile)) {
                    throw new IllegalArgumentException("--token-file: " + tokenFile + " is not a readable file");
                }
                token = Files.readString(tokenFile).trim();
            } else {
                token = System.getenv("CORDON_TOKEN");
            }
            if (!output.equals("table") && !output.equals("json")) {
                throw new IllegalArgumentException("--output: `" + output + "` is not table or json");
            }
            URI uri;
            try {
                uri = URI.create(base.endsWith("/") ? base : base + "/");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--url: `" + base + "` is not a URL");
            }
            return new IngestClient(uri, token == null || token.isBlank() ? null : token, mapper);
        }

        String key() {
            return idempotencyKey != null ? idempotencyKey : UUID.randomUUID().toString();
        }

        boolean json() {
            return output.equals("json");
        }
    }

    /** Reads a directive document from a .json, .yaml or .yml file. */
    static ObjectNode readDocument(Path file, ObjectMapper json) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("-f: " + file + " is not a readable file");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper reader = name.endsWith(".yaml") || name.endsWith(".yml") ? new ObjectMapper(new YAMLFactory()) : json;
        try {
            JsonNode node = reader.readTree(file.toFile());
            if (!(node instanceof ObjectNode o)) {
                throw new IllegalArgumentException(file + ": a directive document must be an object");
            }
            return o;
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid " + (reader == json ? "JSON" : "YAML") + ": "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Prints the answer; returns the exit code. */
    static int print(PrintWriter out, PrintWriter err, Api api, IngestClient.Response r, Table table) throws IOException {
        if (api.json()) {
            (r.accepted() ? out : err).println(api.mapper.writerWithDefaultPrettyPrinter().writeValueAsString(r.body()));
        } else if (!r.accepted()) {
            err.println("refused: HTTP " + r.status());
            JsonNode errors = r.body().path("errors");
            if (errors.isArray() && !errors.isEmpty()) {
                errors.forEach(e -> err.println("  - " + e.path("error").asText()));
            } else {
                err.println("  " + r.body());
            }
        } else {
            table.print(out, r.body());
        }
        out.flush();
        err.flush();
        return r.accepted() ? 0 : 1;
    }

    interface Table {
        void print(PrintWriter out, JsonNode body);
    }

    /** Two-column key/value table of the given fields that are present. */
    static void fields(PrintWriter out, JsonNode body, String... names) {
        int width = 0;
        for (String n : names) {
            width = Math.max(width, n.length());
        }
        for (String n : names) {
            JsonNode v = body.get(n);
            if (v != null && !v.isNull()) {
                out.printf("%-" + width + "s  %s%n", n, v.isValueNode() ? v.asText() : v.toString());
            }
        }
    }

    /** A table with a header row; columns sized to their widest cell. */
    static void rows(PrintWriter out, List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = header.get(i).length();
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> r : all) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < w.length; i++) {
                sb.append(i == 0 ? "" : "  ").append(String.format("%-" + w[i] + "s", r.get(i)));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "-" : v.asText();
    }

    @Command(name = "issue", mixinStandardHelpOptions = true, description = "Issue or amend a directive from a JSON or YAML document.")
    static final class Issue implements Callable<Integer> {
        @Mixin
        Api api;
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "Directive document (.json, .yaml, .yml).")
        Path file;
        @Option(names = "--break-glass", description = "Take effect at once, time-boxed until approved (sets breakGlass: true).")
        boolean breakGlass;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ObjectNode doc = readDocument(file, api.mapper);
            if (breakGlass) {
                doc.put("breakGlass", true);
            }
            IngestClient.Response r = api.client().issue(doc, api.key());
            return print(spec.commandLine().getOut(), spec.commandLine().getErr(), api, r, (out, b) -> {
                fields(out, b, "directiveId", "revision", "status", "changeId", "acceptedAt", "effectiveFrom",
                        "effectiveUntil", "mode", "breakGlass", "submittedBy", "submittedAt");
                if (b.has("approve")) {
                    out.println();
                    out.println("Another principal with role approver must approve it:");
                    out.println("  cordon directive approve " + b.path("directiveId").asText() + " " + b.path("revision").asInt());
                }
            });
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve a pending or break-glass revision (four-eyes).")
    static final class Approve implements Callable<Integer> {
        @Mixin
        Api api;
        @Parameters(index = "0", paramLabel = "ID", description = "Directive id.")
        String id;
        @Parameters(index = "1", paramLabel = "REVISION", description = "Revision to approve.")
        int revision;
        @Option(names = "--comment", description = "Approval comment (audited).")
        String comment;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            IngestClient.Response r = api.client().approve(id, revision, comment, api.key());
            return print(spec.commandLine().getOut(), spec.commandLine().getErr(), api, r, (out, b) -> fields(out, b,
                    "directiveId", "approvedRevision", "revision", "status", "submittedBy", "approvedBy", "changeId",
                    "acceptedAt", "effectiveFrom", "effectiveUntil"));
        }
    }

    @Command(name = "lift", mixinStandardHelpOptions = true, description = "Lift a directive (takes it out of force).")
    static final class Lift implements Callable<Integer> {
        @Mixin
        Api api;
        @Parameters(index = "0", paramLabel = "ID", description = "Directive id.")
        String id;
        @Option(names = "--revision", required = true, description = "The LIFT's revision (higher than the current one).")
        int revision;
        @Option(names = "--issuer", required = true, description = "Issuing authority, e.g. us-bis.")
        String issuer;
        @Option(names = "--reason", required = true, description = "Why it is lifted.")
        String reason;
        @Option(names = "--legal-basis", description = "Legal basis of the lift.")
        String legalBasis;
        @Option(names = "--effective-from", paramLabel = "INSTANT", description = "Schedule the lift (ISO-8601).")
        String effectiveFrom;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ObjectNode doc = api.mapper.createObjectNode();
            doc.put("directiveId", id).put("revision", revision).put("action", "LIFT").put("issuer", issuer).put("reason", reason);
            if (legalBasis != null) {
                doc.put("legalBasis", legalBasis);
            }
            if (effectiveFrom != null) {
                doc.put("effectiveFrom", effectiveFrom);
            }
            IngestClient.Response r = api.client().issue(doc, api.key());
            return print(spec.commandLine().getOut(), spec.commandLine().getErr(), api, r, (out, b) -> fields(out, b,
                    "directiveId", "revision", "status", "changeId", "acceptedAt", "effectiveFrom", "approve"));
        }
    }

    @Command(name = "preview", mixinStandardHelpOptions = true,
            description = "Blast radius: how many live sessions a document would cover now (a DRY_RUN).")
    static final class Preview implements Callable<Integer> {
        @Mixin
        Api api;
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "Directive document (.json, .yaml, .yml).")
        Path file;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            IngestClient.Response r = api.client().preview(readDocument(file, api.mapper), api.key());
            return print(spec.commandLine().getOut(), spec.commandLine().getErr(), api, r, (out, b) -> {
                if (!"COMPLETE".equals(b.path("status").asText())) {
                    out.println("Preview " + b.path("requestId").asText() + " still running; poll "
                            + b.path("poll").asText());
                    return;
                }
                out.printf("%s revision %d would cover %,d live sessions now (%d/%d partitions reported)%n",
                        b.path("directiveId").asText(), b.path("revision").asInt(), b.path("covered").asLong(),
                        b.path("partitionsReported").asInt(), b.path("partitionCount").asInt());
                for (String map : List.of("countsByResource", "countsByNationality", "countsByRole")) {
                    List<List<String>> rows = new ArrayList<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = b.path(map).fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        rows.add(List.of(e.getKey(), String.format("%,d", e.getValue().asLong())));
                    }
                    if (!rows.isEmpty()) {
                        out.println();
                        rows(out, List.of(map.replace("countsBy", "").toUpperCase(Locale.ROOT), "SESSIONS"), rows);
                    }
                }
                List<String> sample = new ArrayList<>();
                b.path("sampleSessionIds").forEach(s -> sample.add(s.asText()));
                if (!sample.isEmpty()) {
                    out.println();
                    out.println("sample: " + String.join(", ", sample.subList(0, Math.min(10, sample.size())))
                            + (sample.size() > 10 ? ", … (" + sample.size() + " in the report)" : ""));
                }
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Revisions, approvals, pending revisions and sessions revoked/denied so far.")
    static final class Status implements Callable<Integer> {
        @Mixin
        Api api;
        @Parameters(index = "0", paramLabel = "ID", description = "Directive id.")
        String id;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            IngestClient.Response r = api.client().status(id);
            return print(spec.commandLine().getOut(), spec.commandLine().getErr(), api, r, (out, b) -> {
                out.printf("%s  %s  (current revision %s)%n", b.path("directiveId").asText(), b.path("status").asText(),
                        b.path("document").path("revision").asText("-"));
                JsonNode sessions = b.path("sessions");
                out.printf("sessions: revoked %,d, denied %,d%s%n", sessions.path("revoked").asLong(),
                        sessions.path("denied").asLong(), sessions.has("coveredAtLastSweep")
                                ? String.format(", covered at the last sweep %,d", sessions.path("coveredAtLastSweep").asLong()) : "");
                List<List<String>> rows = new ArrayList<>();
                b.path("revisions").forEach(v -> rows.add(List.of(v.path("revision").asText(), text(v, "action"),
                        text(v, "acceptedAt"), text(v, "submittedBy"), approval(v), text(v, "effectiveUntil"),
                        v.path("revoked").asText("0"), v.path("denied").asText("0"))));
                if (!rows.isEmpty()) {
                    out.println();
                    rows(out, List.of("REV", "ACTION", "ACCEPTED", "SUBMITTED BY", "APPROVAL", "UNTIL", "REVOKED", "DENIED"), rows);
                }
                List<List<String>> pending = new ArrayList<>();
                b.path("pending").forEach(p -> pending.add(List.of(p.path("revision").asText(), text(p, "action"),
                        text(p, "submittedBy"), text(p, "submittedAt"), "cordon directive approve " + b.path("directiveId").asText()
                                + " " + p.path("revision").asText())));
                if (!pending.isEmpty()) {
                    out.println();
                    out.println("awaiting approval:");
                    rows(out, List.of("REV", "ACTION", "SUBMITTED BY", "SUBMITTED", "TO APPROVE"), pending);
                }
            });
        }

        private static String approval(JsonNode v) {
            String a = v.path("approval").asText("-");
            if (a.equals("APPROVED")) {
                return "approved by " + v.path("approvedBy").asText();
            }
            if (a.equals("BREAK_GLASS_UNAPPROVED")) {
                return "BREAK-GLASS, unapproved";
            }
            return a.equals("NOT_REQUIRED") ? "not required" : "-";
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every directive and its status.")
    static final class ListAll implements Callable<Integer> {
        @Mixin
        Api api;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            IngestClient.Response r = api.client().list();
            return print(spec.commandLine().getOut(), spec.commandLine().getErr(), api, r, (out, b) -> {
                List<List<String>> rows = new ArrayList<>();
                b.path("directives").forEach(d -> rows.add(List.of(d.path("directiveId").asText(), d.path("status").asText(),
                        d.path("document").path("revision").asText("-"), d.path("document").path("action").asText("-"),
                        text(d, "principal"))));
                rows(out, List.of("DIRECTIVE", "STATUS", "REV", "ACTION", "SUBMITTED BY"), rows);
            });
        }
    }
}
