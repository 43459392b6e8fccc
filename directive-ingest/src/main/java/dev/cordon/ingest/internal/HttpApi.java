package dev.cordon.ingest.internal;

import dev.cordon.ops.HttpMetrics;
import dev.cordon.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.ingest.Role;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP routes of ingest (Javalin on Jetty), listed in {@link #ROUTES} and documented by the OpenAPI document
 * served at {@code /v1/openapi.json} (a test checks the two agree). Every body is JSON.
 *
 * <p>Authentication and authorisation (issue 6 point 1) happen per route: 401 without a valid bearer token (with
 * {@code WWW-Authenticate: Bearer}, RFC 6750), 403 without one of the route's roles. Every 401 and 403, and every
 * refused write (POST), is audited by {@link Workflow#auditRefusal} with the principal, never the token.
 *
 * <p>Refusals: {@code {"error": "...", "field": "...", "status": N, "errors": [{"error", "field", "status"}, ...]}}
 * where the top-level fields repeat the first of {@code errors}; {@code field} is absent when no field is
 * concerned. Statuses: 400 not JSON / wrong JSON type / unknown field / bad Idempotency-Key; 401; 403; 404; 409
 * revision not higher than the current one, or already pending/approved; 413 body over 1 MB; 422 semantic
 * validation, Idempotency-Key reused for another request; 503 Kafka could not complete in time.
 */
public final class HttpApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    /** Largest accepted request body, bytes. */
    public static final long MAX_BODY_BYTES = 1_000_000L;
    private static final Set<Role> ANY = EnumSet.allOf(Role.class);

    /**
     * One route.
     *
     * @param method HTTP method
     * @param path   Javalin path template ({@code {id}} parameters)
     * @param roles  roles allowed ({@code null}: no authentication)
     */
    public record Route(String method, String path, Set<Role> roles) {
    }

    /** Every route the API serves. */
    public static final List<Route> ROUTES = List.of(
            new Route("GET", "/health", null),
            new Route("GET", "/v1/openapi.json", null),
            new Route("POST", "/v1/directives", EnumSet.of(Role.ISSUER)),
            new Route("GET", "/v1/directives", ANY),
            new Route("POST", "/v1/directives:preview", EnumSet.of(Role.ISSUER, Role.APPROVER)),
            new Route("GET", "/v1/previews/{requestId}", ANY),
            new Route("GET", "/v1/directives/{id}", ANY),
            new Route("POST", "/v1/directives/{id}/revisions/{revision}:approve", EnumSet.of(Role.APPROVER)));

    private final DirectiveLog log;
    private final Authenticator authenticator;
    private final Workflow workflow;
    private final ImpactView impacts;

    public HttpApi(DirectiveLog log, Authenticator authenticator, Workflow workflow, ImpactView impacts) {
        this.log = log;
        this.authenticator = authenticator;
        this.workflow = workflow;
        this.impacts = impacts;
    }

    private interface Handler {
        Answer handle(Context ctx, Workflow.Request request) throws Exception;
    }

    /** @return a configured, not yet started server */
    public Javalin create() {
        return create(new SimpleMeterRegistry());
    }

    /**
     * @param metrics where request latency ({@code cordon.ingest.http.requests}, by method, route and
     *                status) and directive outcomes ({@code cordon.ingest.directives}, by outcome and
     *                status) are recorded
     * @return a configured, not yet started server
     */
    public Javalin create(MeterRegistry metrics) {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.requestLogger.http(HttpMetrics.requestLogger(metrics, MetricNames.INGEST_HTTP_REQUESTS));
        });
        app.after("/v1/directives", ctx -> {
            if ("POST".equals(ctx.method().name())) {
                int status = ctx.statusCode();
                Counter.builder(MetricNames.INGEST_DIRECTIVES)
                        .description("POST /v1/directives answers, by outcome and HTTP status")
                        .tag("outcome", status < 300 ? "accepted" : "refused")
                        .tag("status", Integer.toString(status))
                        .register(metrics).increment();
            }
        });
        Map<String, Handler> handlers = new HashMap<>();
        handlers.put("POST /v1/directives", (ctx, r) -> workflow.issue(r));
        handlers.put("GET /v1/directives", (ctx, r) -> list());
        handlers.put("POST /v1/directives:preview", (ctx, r) -> workflow.preview(r));
        handlers.put("GET /v1/previews/{requestId}", (ctx, r) -> workflow.previewReport(ctx.pathParam("requestId")));
        handlers.put("GET /v1/directives/{id}", (ctx, r) -> status(ctx.pathParam("id")));
        handlers.put("POST /v1/directives/{id}/revisions/{revision}:approve",
                (ctx, r) -> workflow.approve(r, ctx.pathParam("id"), ctx.pathParam("revision")));
        for (Route route : ROUTES) {
            if (route.roles() == null) {
                continue;
            }
            Handler handler = handlers.get(route.method() + " " + route.path());
            app.addHttpHandler(HandlerType.valueOf(route.method()), route.path(), ctx -> serve(ctx, route, handler));
        }
        app.get("/health", this::health);
        app.get("/v1/openapi.json", ctx -> ctx.status(200).contentType("application/json").result(openApi()));
        app.exception(RefusedException.class, (e, ctx) -> refuse(ctx, e));
        app.exception(HttpResponseException.class, (e, ctx) -> refuse(ctx, new RefusedException(
                new ApiError(e.getStatus(), null, e.getMessage()))));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("Unexpected error on {} {}", ctx.method(), ctx.path(), e);
            refuse(ctx, new RefusedException(new ApiError(500, null, "internal error: " + e.getClass().getSimpleName())));
        });
        return app;
    }

    private void serve(Context ctx, Route route, Handler handler) throws Exception {
        boolean write = route.method().equals("POST");
        Workflow.Request request = new Workflow.Request(null, route.method(), ctx.path(), null,
                ctx.header("Idempotency-Key"), ctx.ip());
        Principal principal;
        try {
            principal = authenticator.authenticate(ctx.header("Authorization"));
        } catch (RefusedException e) {
            workflow.auditRefusal(request, e);
            throw e;
        }
        String body = null;
        if (write) {
            try {
                body = ctx.body(); // after authentication: an anonymous client cannot make ingest read a body
            } catch (HttpResponseException e) {
                RefusedException refused = new RefusedException(new ApiError(e.getStatus(), "$", "the body was refused: "
                        + e.getMessage() + " (at most " + MAX_BODY_BYTES + " bytes)"));
                workflow.auditRefusal(new Workflow.Request(principal, route.method(), ctx.path(), null, null, ctx.ip()), refused);
                throw refused;
            }
        }
        request = new Workflow.Request(principal, request.method(), request.path(), body, request.idempotencyKey(),
                request.remoteAddress());
        if (!principal.hasAny(route.roles())) {
            RefusedException e = new RefusedException(new ApiError(403, null, "`" + principal.display()
                    + "` may not " + route.method() + " " + route.path() + ": it needs the role "
                    + String.join(" or ", route.roles().stream().map(Role::id).map(s -> "`" + s + "`").toList())
                    + " and has " + (principal.roles().isEmpty() ? "none" : Role.join(principal.roles()))));
            workflow.auditRefusal(request, e);
            throw e;
        }
        Answer answer;
        try {
            answer = handler.handle(ctx, request);
        } catch (RefusedException e) {
            if (write && e.status() != ApiError.UNAVAILABLE) {
                workflow.auditRefusal(request, e);
            }
            throw e;
        }
        answer.headers().forEach(ctx::header);
        json(ctx, answer.status(), answer.body());
    }

    private Answer list() throws RefusedException {
        Instant now = Instant.now();
        ObjectNode response = DirectiveJson.MAPPER.createObjectNode();
        ArrayNode directives = response.putArray("directives");
        List<ObjectNode> views = log.read((ledger, wf) -> {
            List<ObjectNode> out = new java.util.ArrayList<>();
            for (DirectiveChange change : ledger.all()) {
                out.add(view(change, now));
            }
            for (String id : wf.pendingDirectiveIds()) {
                if (ledger.current(id).isEmpty()) {
                    out.add(pendingOnly(id, wf));
                }
            }
            return out;
        });
        views.forEach(directives::add);
        return new Answer(200, response, Map.of());
    }

    /** {@code GET /v1/directives/{id}}: current revision, history with approvals and impact, pending revisions. */
    private Answer status(String id) throws RefusedException {
        Instant now = Instant.now();
        ObjectNode result = log.read((ledger, wf) -> {
            var current = ledger.current(id);
            List<ObjectNode> pending = wf.pendingOf(id);
            if (current.isEmpty() && pending.isEmpty()) {
                return null;
            }
            ObjectNode view = current.map(c -> view(c, now)).orElseGet(() -> pendingOnly(id, wf));
            view.put("directiveId", id);
            Map<Integer, ObjectNode> approvals = new HashMap<>();
            ArrayNode pendingOut = view.putArray("pending");
            for (ObjectNode p : pending) {
                String state = p.path("state").asText();
                if (Workflow.STATE_APPROVED.equals(state)) {
                    approvals.put(p.path("publishedRevision").asInt(), p);
                } else if (Workflow.STATE_PENDING.equals(state)
                        && current.map(c -> c.getRevision() < p.path("revision").asInt()).orElse(true)) {
                    pendingOut.add(pendingSummary(p));
                } else if (Workflow.STATE_BREAK_GLASS.equals(state)) {
                    approvals.put(p.path("revision").asInt(), p);
                }
            }
            ArrayNode revisions = view.putArray("revisions");
            long revoked = 0;
            long denied = 0;
            for (DirectiveChange c : ledger.history(id)) {
                ObjectNode r = revisions.addObject();
                r.put("revision", c.getRevision()).put("action", c.getAction().name()).put("changeId", c.getChangeId())
                        .put("acceptedAt", c.getAcceptedAt().toString()).put("effectiveFrom", c.getEffectiveFrom().toString());
                if (c.getEffectiveUntil() != null) {
                    r.put("effectiveUntil", c.getEffectiveUntil().toString());
                }
                if (c.getLegalBasis() != null) {
                    r.put("legalBasis", c.getLegalBasis());
                }
                r.put("submittedBy", c.getPrincipal());
                ObjectNode approval = approvals.get(c.getRevision());
                if (approval != null) {
                    if (Workflow.STATE_BREAK_GLASS.equals(approval.path("state").asText())) {
                        r.put("approval", "BREAK_GLASS_UNAPPROVED").put("breakGlassUntil", approval.path("breakGlassUntil").asText());
                    } else {
                        r.put("approval", "APPROVED").put("approvedBy", approval.path("approvedBy").asText())
                                .put("approvedAt", approval.path("approvedAt").asText())
                                .put("approvedRevision", approval.path("revision").asInt());
                    }
                } else {
                    r.put("approval", c.getAction() == DirectiveAction.LIFT ? "NOT_REQUIRED" : "NOT_REQUIRED_OR_LEGACY");
                }
                long[] counts = impacts.commands(id, c.getRevision());
                r.put("revoked", counts[0]).put("denied", counts[1]);
                revoked += counts[0];
                denied += counts[1];
                impacts.enforced(id, c.getRevision()).ifPresent(i -> r.set("impact", Workflow.impactJson(i, false)));
            }
            ObjectNode sessions = view.putObject("sessions");
            current.flatMap(c -> impacts.enforced(id, c.getRevision())).ifPresent(i -> sessions.put("coveredAtLastSweep", i.getCovered()));
            sessions.put("revoked", revoked).put("denied", denied);
            return view;
        });
        if (result == null) {
            throw new RefusedException(ApiError.at(ApiError.NOT_FOUND, "directiveId", "directive `"
                    + DirectiveValidator.clip(id) + "` was never issued"));
        }
        return new Answer(200, result, Map.of());
    }

    private static ObjectNode pendingOnly(String id, WorkflowState wf) {
        ObjectNode view = DirectiveJson.MAPPER.createObjectNode();
        List<ObjectNode> pending = wf.pendingOf(id);
        ObjectNode last = pending.get(pending.size() - 1);
        view.set("document", last.get("document"));
        view.put("directiveId", id);
        view.put("status", "PENDING_APPROVAL");
        view.put("principal", last.path("submittedBy").asText());
        return view;
    }

    private static ObjectNode pendingSummary(ObjectNode p) {
        ObjectNode o = DirectiveJson.MAPPER.createObjectNode();
        o.put("revision", p.path("revision").asInt()).put("state", p.path("state").asText())
                .put("action", p.path("action").asText()).put("mode", p.path("mode").asText())
                .put("submittedBy", p.path("submittedBy").asText()).put("submittedAt", p.path("submittedAt").asText())
                .put("approve", Workflow.approvePath(p.path("directiveId").asText(), p.path("revision").asInt()));
        return o;
    }

    private void health(Context ctx) {
        ObjectNode response = DirectiveJson.MAPPER.createObjectNode();
        boolean up = log.healthy();
        response.put("status", up ? "UP" : "DOWN");
        if (!up) {
            response.put("detail", log.healthDetail());
        }
        json(ctx, up ? 200 : 503, response);
    }

    /** The current revision with its status at {@code now} (DESIGN.md "Directive lifecycle": in force). */
    static ObjectNode view(DirectiveChange change, Instant now) {
        ObjectNode view = DirectiveJson.MAPPER.createObjectNode();
        view.put("directiveId", change.getDirectiveId());
        view.set("document", DirectiveJson.document(change));
        String status;
        if (change.getAction() == DirectiveAction.LIFT) {
            status = now.isBefore(change.getEffectiveFrom()) ? "LIFT_SCHEDULED" : "LIFTED";
        } else if (now.isBefore(change.getEffectiveFrom())) {
            status = "SCHEDULED";
        } else if (change.getEffectiveUntil() != null && !now.isBefore(change.getEffectiveUntil())) {
            status = "EXPIRED";
        } else {
            status = "IN_FORCE";
        }
        view.put("status", status);
        view.put("changeId", change.getChangeId());
        view.put("acceptedAt", change.getAcceptedAt().toString());
        if (change.getPrincipal() != null) {
            view.put("principal", change.getPrincipal());
        }
        return view;
    }

    private static String openApiText;

    /** @return the OpenAPI 3.1 document of this API (resource {@code openapi.json} next to this class) */
    public static synchronized String openApi() {
        if (openApiText == null) {
            try (InputStream in = HttpApi.class.getResourceAsStream("openapi.json")) {
                if (in == null) {
                    throw new IllegalStateException("openapi.json is missing from the jar");
                }
                openApiText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return openApiText;
    }

    /** @return the error body of a refusal */
    static ObjectNode errorBody(RefusedException e) {
        List<ApiError> errors = e.errors();
        ObjectNode body = DirectiveJson.MAPPER.createObjectNode();
        ApiError first = errors.get(0);
        body.put("error", first.error());
        if (first.field() != null) {
            body.put("field", first.field());
        }
        body.put("status", e.status());
        ArrayNode list = body.putArray("errors");
        for (ApiError error : errors) {
            ObjectNode item = list.addObject();
            item.put("error", error.error());
            if (error.field() != null) {
                item.put("field", error.field());
            }
            item.put("status", error.status());
        }
        return body;
    }

    private static void refuse(Context ctx, RefusedException e) {
        for (Map.Entry<String, String> header : e.headers().entrySet()) {
            ctx.header(header.getKey(), header.getValue());
        }
        json(ctx, e.status(), errorBody(e));
    }

    private static void json(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }
}
