package dev.cordon.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP routes of ingest (Javalin on Jetty). Every body is JSON.
 *
 * <ul>
 *   <li>{@code POST /v1/directives}: a directive document → 202 {@code {"directiveId", "revision", "changeId",
 *       "acceptedAt", "effectiveFrom", "mode", "status": "ACCEPTED"}}.</li>
 *   <li>{@code GET /v1/directives/{id}} → 200 {@code {"document": {...}, "status": "IN_FORCE" | "SCHEDULED" |
 *       "EXPIRED" | "LIFTED", "changeId", "acceptedAt", "principal"}} for the current revision, or 404.</li>
 *   <li>{@code GET /v1/directives} → 200 {@code {"directives": [ same as above, ... ]}}.</li>
 *   <li>{@code GET /health} → 200 {@code {"status": "UP"}} or 503 {@code {"status": "DOWN", "detail": "..."}};
 *       not authenticated.</li>
 * </ul>
 * Refusals: {@code {"error": "...", "field": "...", "status": N, "errors": [{"error", "field", "status"}, ...]}}
 * where the top-level fields repeat the first of {@code errors}; {@code field} is absent when no field is
 * concerned. Statuses: 400 not JSON / wrong JSON type / unknown field; 401 no or bad bearer token; 404 unknown
 * directive (LIFT of a directive never issued, GET); 409 revision not higher than the current one; 422
 * semantic validation ({@link DirectiveValidator}); 503 Kafka could not complete in time.
 */
public final class HttpApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final String PRINCIPAL_ATTRIBUTE = "cordon.principal";
    private final DirectiveValidator validator = new DirectiveValidator();
    private final DirectiveLog log;
    private final Authenticator authenticator;

    public HttpApi(DirectiveLog log, Authenticator authenticator) {
        this.log = log;
        this.authenticator = authenticator;
    }

    /** @return a configured, not yet started server */
    public Javalin create() {
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.http.maxRequestSize = 1_000_000L;
        });
        app.before("/v1/*", ctx -> ctx.attribute(PRINCIPAL_ATTRIBUTE,
                authenticator.authenticate(ctx.header("Authorization"))));
        app.post("/v1/directives", this::post);
        app.get("/v1/directives", this::list);
        app.get("/v1/directives/{id}", this::get);
        app.get("/health", this::health);
        app.exception(RefusedException.class, (e, ctx) -> refuse(ctx, e));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("Unexpected error on {} {}", ctx.method(), ctx.path(), e);
            refuse(ctx, new RefusedException(new ApiError(500, null, "internal error: " + e.getClass().getSimpleName())));
        });
        return app;
    }

    private void post(Context ctx) throws RefusedException {
        Instant now = Instant.now();
        JsonNode body;
        try {
            String text = ctx.body();
            body = text.isBlank() ? null : DirectiveJson.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new RefusedException(new ApiError(ApiError.BAD_REQUEST, "$",
                    "the body is not valid JSON" + where + ": " + e.getOriginalMessage()));
        }
        ValidatedDirective directive = validator.validate(body, now);
        Principal principal = ctx.attribute(PRINCIPAL_ATTRIBUTE);
        DirectiveLog.Accepted accepted = log.submit(directive, principal == null ? null : principal.name(),
                now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        DirectiveChange change = accepted.change();
        LOG.info("Accepted {} revision {} ({} {}) from {} as change {}", change.getDirectiveId(),
                change.getRevision(), change.getAction(), change.getMode(), change.getPrincipal(), change.getChangeId());
        ObjectNode response = DirectiveJson.MAPPER.createObjectNode();
        response.put("directiveId", change.getDirectiveId());
        response.put("revision", change.getRevision());
        response.put("changeId", change.getChangeId());
        response.put("acceptedAt", change.getAcceptedAt().toString());
        response.put("effectiveFrom", change.getEffectiveFrom().toString());
        response.put("mode", change.getMode().name());
        response.put("status", "ACCEPTED");
        ctx.header("Location", "/v1/directives/" + change.getDirectiveId());
        json(ctx, 202, response);
    }

    private void get(Context ctx) throws RefusedException {
        String id = ctx.pathParam("id");
        DirectiveChange change = log.current(id).orElseThrow(() -> new RefusedException(ApiError.at(
                ApiError.NOT_FOUND, "directiveId", "directive `" + id + "` was never issued")));
        json(ctx, 200, view(change, Instant.now()));
    }

    private void list(Context ctx) throws RefusedException {
        Instant now = Instant.now();
        ObjectNode response = DirectiveJson.MAPPER.createObjectNode();
        ArrayNode directives = response.putArray("directives");
        for (DirectiveChange change : log.all()) {
            directives.add(view(change, now));
        }
        json(ctx, 200, response);
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

    private static void refuse(Context ctx, RefusedException e) {
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
        for (Map.Entry<String, String> header : e.headers().entrySet()) {
            ctx.header(header.getKey(), header.getValue());
        }
        json(ctx, e.status(), body);
    }

    private static void json(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }
}
