package dev.cordon.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import dev.cordon.avro.DirectiveAction;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.DirectiveMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operators' workflow of issue 6 on top of {@link DirectiveLog}: four-eyes approval, break-glass, preview,
 * {@code Idempotency-Key}, and the audit of refusals. Every decision is taken inside {@link DirectiveLog#write}
 * against caught-up durable state, so it holds with several ingest instances.
 *
 * <ul>
 *   <li><b>Four-eyes</b>: an {@code ENFORCE} revision (a LIFT or DRY_RUN too, unless exempt) is stored as
 *       {@code PENDING} in the state topic and audited ({@code DIRECTIVE_RECEIVED}, origin -2); it is not
 *       published, so it is not the current revision and has no effect. {@link #approve} by a principal with role
 *       approver other than the submitter re-validates the document at approval time (a left-out
 *       {@code effectiveFrom} becomes the approval instant), checks the revision against the current one, and
 *       publishes it: its {@code DIRECTIVE_ACCEPTED} audit event carries {@code approval}, {@code submittedBy},
 *       {@code approvedBy} and both instants; the change's {@code principal} is the submitter.</li>
 *   <li><b>Break-glass</b> ({@code "breakGlass": true}): published at once with {@code effectiveFrom} = now
 *       (unless earlier) and {@code effectiveUntil} = min(document's, now + window), its {@code legalBasis}
 *       suffixed {@code " [BREAK-GLASS by <principal>, unapproved, lapses <instant>]"} — enforcement copies
 *       legalBasis into every command, so every REVOKE/DENY it causes shows it. Approval within the window
 *       publishes revision + 1: the same document without the bound and without the suffix, effective from the
 *       break-glass revision's start. Without approval it simply expires at {@code effectiveUntil}: ordinary
 *       directive time, no timer, no automatic lift.</li>
 *   <li><b>Idempotency</b> (draft-ietf-httpapi-idempotency-key-header): per principal and key, the first answer
 *       (success or refusal other than 401/503) is stored in the state topic in the same transaction and
 *       replayed with {@code Idempotent-Replayed: true}; the same key with another method, path or body → 422.</li>
 * </ul>
 */
public final class Workflow {
    private static final Logger LOG = LoggerFactory.getLogger(Workflow.class);
    /** {@code Idempotency-Key}: 1 to 255 visible ASCII characters. */
    static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    static final String STATE_PENDING = "PENDING";
    static final String STATE_BREAK_GLASS = "BREAK_GLASS";
    static final String STATE_APPROVED = "APPROVED";

    private final DirectiveLog log;
    private final DirectiveValidator validator = new DirectiveValidator();
    private final ImpactView impacts;
    private final Settings settings;

    /**
     * @param approvalRequired four-eyes on
     * @param exempt           which of LIFT, DRY_RUN take effect without approval
     * @param breakGlassWindow bound of a break-glass revision
     * @param previewTimeout   how long a preview waits for its report
     */
    public record Settings(boolean approvalRequired, Set<String> exempt, Duration breakGlassWindow, Duration previewTimeout) {
    }

    /**
     * One request as the workflow sees it.
     *
     * @param principal      authenticated principal ({@code null} when authentication failed)
     * @param method         HTTP method
     * @param path           request path
     * @param body           raw body text
     * @param idempotencyKey the {@code Idempotency-Key} header, or {@code null}
     * @param remoteAddress  client address, for refusal audits
     */
    public record Request(Principal principal, String method, String path, String body, String idempotencyKey,
                          String remoteAddress) {
    }

    public Workflow(DirectiveLog log, ImpactView impacts, Settings settings) {
        this.log = log;
        this.impacts = impacts;
        this.settings = settings;
    }

    // ------------------------------------------------------------------------------------------------ issue

    /** {@code POST /v1/directives}: 202 ACCEPTED (published) or 202 PENDING_APPROVAL. */
    public Answer issue(Request r) throws RefusedException {
        checkKey(r);
        return log.write((ledger, wf) -> {
            Answer replay = replay(r, wf);
            if (replay != null) {
                return new DirectiveLog.Plan<>(replay);
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            ValidatedDirective v = validator.validate(parse(r.body()), now);
            ledger.check(v);
            String principal = r.principal().name();
            DirectiveLog.Plan<Answer> plan;
            if (v.breakGlass()) {
                plan = breakGlass(v, r, now);
            } else if (needsApproval(v)) {
                Optional<ObjectNode> existing = wf.pending(v.directiveId(), v.revision());
                if (existing.isPresent() && STATE_PENDING.equals(existing.get().path("state").asText())) {
                    throw new RefusedException(ApiError.at(ApiError.CONFLICT, "revision", "revision " + v.revision()
                            + " of `" + v.directiveId() + "` already awaits approval (submitted by "
                            + existing.get().path("submittedBy").asText() + " at " + existing.get().path("submittedAt").asText()
                            + "); approve it or submit a higher revision"));
                }
                ObjectNode pending = WorkflowState.MAPPER.createObjectNode();
                pending.put("directiveId", v.directiveId()).put("revision", v.revision()).put("state", STATE_PENDING)
                        .put("action", v.action().name()).put("mode", v.mode().name())
                        .put("submittedBy", principal).put("submittedAt", now.toString());
                pending.set("document", documentWithout(parse(r.body()), "breakGlass"));
                ObjectNode body = WorkflowState.MAPPER.createObjectNode();
                body.put("directiveId", v.directiveId()).put("revision", v.revision()).put("status", "PENDING_APPROVAL")
                        .put("submittedBy", principal).put("submittedAt", now.toString())
                        .put("approve", approvePath(v.directiveId(), v.revision()));
                Answer answer = new Answer(202, body, Map.of("Location", "/v1/directives/" + v.directiveId()));
                Map<String, String> details = new LinkedHashMap<>();
                details.put("status", "PENDING_APPROVAL");
                details.put("principal", principal);
                details.put("action", v.action().name());
                details.put("mode", v.mode().name());
                details.put("document", pending.get("document").toString());
                plan = new DirectiveLog.Plan<>(answer)
                        .audit(workflowEvent(AuditEventType.DIRECTIVE_RECEIVED, v.directiveId(), v.revision(), now, details))
                        .state(WorkflowState.pendingKey(v.directiveId(), v.revision()), pending.toString());
            } else {
                DirectiveChange change = v.toChange(UUID.randomUUID().toString(), now, principal);
                plan = new DirectiveLog.Plan<>(accepted(change, 202))
                        .publish(change, Map.of("approval", approvalNote(v)));
            }
            return remember(plan, r);
        });
    }

    private DirectiveLog.Plan<Answer> breakGlass(ValidatedDirective v, Request r, Instant now) throws RefusedException {
        Instant until = now.plus(settings.breakGlassWindow());
        if (v.effectiveUntil() != null && v.effectiveUntil().isBefore(until)) {
            until = v.effectiveUntil();
        }
        Instant from = v.effectiveFrom().isAfter(now) ? now : v.effectiveFrom();
        String principal = r.principal().name();
        DirectiveChange change = v.toChange(UUID.randomUUID().toString(), now, principal);
        change.setEffectiveFrom(from);
        change.setEffectiveUntil(until);
        change.setLegalBasis(v.legalBasis() + " [BREAK-GLASS by " + r.principal().display() + ", unapproved, lapses "
                + until + "]");
        ObjectNode pending = WorkflowState.MAPPER.createObjectNode();
        pending.put("directiveId", v.directiveId()).put("revision", v.revision()).put("state", STATE_BREAK_GLASS)
                .put("action", v.action().name()).put("mode", v.mode().name())
                .put("submittedBy", principal).put("submittedAt", now.toString())
                .put("breakGlassChangeId", change.getChangeId()).put("breakGlassUntil", until.toString())
                .put("effectiveFrom", from.toString());
        pending.set("document", documentWithout(parse(r.body()), "breakGlass"));
        Answer answer = accepted(change, 202);
        answer.body().put("breakGlass", true).put("approval", "PENDING")
                .put("approve", approvePath(v.directiveId(), v.revision()));
        Map<String, String> details = new LinkedHashMap<>();
        details.put("approval", "break-glass: in force at once, unapproved");
        details.put("breakGlass", "true");
        details.put("breakGlassUntil", until.toString());
        LOG.atWarn().addKeyValue("directiveId", v.directiveId()).addKeyValue("revision", v.revision())
                .addKeyValue("principal", r.principal().display())
                .log("BREAK-GLASS: {} revision {} by {} in force until {} unless approved", v.directiveId(), v.revision(),
                        r.principal().display(), until);
        return new DirectiveLog.Plan<>(answer).publish(change, details)
                .state(WorkflowState.pendingKey(v.directiveId(), v.revision()), pending.toString());
    }

    // ------------------------------------------------------------------------------------------------ approve

    /** {@code POST /v1/directives/{id}/revisions/{rev}:approve}: 200 APPROVED with the published revision. */
    public Answer approve(Request r, String directiveId, String revisionText) throws RefusedException {
        checkKey(r);
        int revision;
        try {
            revision = Integer.parseInt(revisionText);
        } catch (NumberFormatException e) {
            throw new RefusedException(ApiError.at(ApiError.BAD_REQUEST, "revision", "`"
                    + DirectiveValidator.clip(revisionText) + "` is not a revision; use a positive integer"));
        }
        if (r.body() != null && !r.body().isBlank()) {
            JsonNode body = parse(r.body());
            if (!body.isObject()) {
                throw new RefusedException(ApiError.at(ApiError.BAD_REQUEST, "$", "the body must be a JSON object or empty"));
            }
            for (var it = body.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (!name.equals("comment")) {
                    throw new RefusedException(ApiError.at(ApiError.BAD_REQUEST, DirectiveValidator.clip(name),
                            "unknown field; the only field here is `comment`"));
                }
            }
            if (body.has("comment") && (!body.get("comment").isTextual() || body.get("comment").textValue().length() > 1024)) {
                throw new RefusedException(ApiError.at(ApiError.BAD_REQUEST, "comment", "must be a string of at most 1024 characters"));
            }
        }
        String comment = r.body() == null || r.body().isBlank() ? null : parse(r.body()).path("comment").asText(null);
        return log.write((ledger, wf) -> {
            Answer replay = replay(r, wf);
            if (replay != null) {
                return new DirectiveLog.Plan<>(replay);
            }
            ObjectNode pending = wf.pending(directiveId, revision).orElseThrow(() -> new RefusedException(ApiError.at(
                    ApiError.NOT_FOUND, "revision", "revision " + revision + " of `" + directiveId
                            + "` was never submitted for approval")));
            String state = pending.path("state").asText();
            String submittedBy = pending.path("submittedBy").asText(null);
            if (STATE_APPROVED.equals(state)) {
                throw new RefusedException(ApiError.at(ApiError.CONFLICT, "revision", "revision " + revision + " of `"
                        + directiveId + "` was already approved by " + pending.path("approvedBy").asText() + " at "
                        + pending.path("approvedAt").asText() + " (published as revision "
                        + pending.path("publishedRevision").asInt() + ")"));
            }
            String approver = r.principal().name();
            if (submittedBy != null && submittedBy.equals(approver)) {
                throw new RefusedException(new ApiError(403, "revision", "four-eyes: `" + approver + "` submitted revision "
                        + revision + " of `" + directiveId + "` and may not approve it; another principal with role "
                        + "`approver` must"));
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            ObjectNode document = (ObjectNode) pending.get("document").deepCopy();
            DirectiveChange change;
            Map<String, String> details = new LinkedHashMap<>();
            details.put("submittedBy", submittedBy == null ? "(authentication disabled)" : submittedBy);
            details.put("submittedAt", pending.path("submittedAt").asText());
            details.put("approvedBy", r.principal().display());
            details.put("approvedAt", now.toString());
            if (comment != null) {
                details.put("approvalComment", comment);
            }
            if (STATE_BREAK_GLASS.equals(state)) {
                DirectiveChange current = ledger.current(directiveId).orElse(null);
                if (current == null || !current.getChangeId().equals(pending.path("breakGlassChangeId").asText())) {
                    throw new RefusedException(ApiError.at(ApiError.CONFLICT, "revision", "break-glass revision " + revision
                            + " of `" + directiveId + "` is no longer current"
                            + (current == null ? "" : " (revision " + current.getRevision() + " is)")
                            + "; there is nothing to approve"));
                }
                Instant until = Instant.parse(pending.path("breakGlassUntil").asText());
                if (!now.isBefore(until)) {
                    throw new RefusedException(ApiError.at(ApiError.CONFLICT, "revision", "the break-glass window of revision "
                            + revision + " of `" + directiveId + "` closed at " + until + " and it lapsed; issue a new "
                            + "revision (it needs approval)"));
                }
                if (revision == Integer.MAX_VALUE) {
                    throw new RefusedException(ApiError.at(ApiError.CONFLICT, "revision", "no revision above " + revision));
                }
                document.put("revision", revision + 1);
                ValidatedDirective v = validator.validate(document, now);
                ledger.check(v);
                change = v.toChange(UUID.randomUUID().toString(), now, submittedBy);
                if (v.effectiveFromDefaulted()) {
                    change.setEffectiveFrom(Instant.parse(pending.path("effectiveFrom").asText()));
                }
                details.put("approval", "four-eyes: approves break-glass revision " + revision);
                details.put("breakGlassRevision", Integer.toString(revision));
            } else {
                ValidatedDirective v = validator.validate(document, now);
                ledger.check(v);
                change = v.toChange(UUID.randomUUID().toString(), now, submittedBy);
                details.put("approval", "four-eyes");
            }
            pending.put("state", STATE_APPROVED).put("approvedBy", r.principal().display()).put("approvedAt", now.toString())
                    .put("publishedRevision", change.getRevision()).put("publishedChangeId", change.getChangeId());
            if (comment != null) {
                pending.put("comment", comment);
            }
            Answer answer = accepted(change, 200);
            answer.body().put("status", "APPROVED").put("approvedRevision", revision)
                    .put("submittedBy", details.get("submittedBy")).put("approvedBy", r.principal().display());
            LOG.atInfo().addKeyValue("directiveId", directiveId).addKeyValue("revision", change.getRevision())
                    .addKeyValue("changeId", change.getChangeId()).addKeyValue("principal", r.principal().display())
                    .log("{} approved {} revision {} of {} (published as revision {})", r.principal().display(), state,
                            revision, directiveId, change.getRevision());
            return remember(new DirectiveLog.Plan<>(answer).publish(change, details)
                    .state(WorkflowState.pendingKey(directiveId, revision), pending.toString()), r);
        });
    }

    // ------------------------------------------------------------------------------------------------ preview

    /**
     * {@code POST /v1/directives:preview}: publishes the document as a DRY_RUN (whatever its {@code mode}) and waits
     * for its aggregated impact report: 200 with the report, or 202 {@code RUNNING} with the requestId to poll.
     */
    public Answer preview(Request r) throws RefusedException {
        checkKey(r);
        String requestId = log.write((ledger, wf) -> {
            Answer replay = replay(r, wf);
            if (replay != null) {
                return new DirectiveLog.Plan<>(replay.body().path("requestId").asText());
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            JsonNode document = parse(r.body());
            if (document instanceof ObjectNode o) {
                o.put("mode", "DRY_RUN");
                if (o.hasNonNull("breakGlass") && o.get("breakGlass").isBoolean()) {
                    o.remove("breakGlass"); // previewing what would be issued as break-glass: same coverage
                }
            }
            ValidatedDirective v = validator.validate(document, now);
            ledger.check(v);
            DirectiveChange change = v.toChange(UUID.randomUUID().toString(), now, r.principal().name());
            ObjectNode body = WorkflowState.MAPPER.createObjectNode();
            body.put("requestId", change.getRequestId()).put("directiveId", v.directiveId()).put("revision", v.revision());
            DirectiveLog.Plan<String> plan = new DirectiveLog.Plan<>(change.getRequestId())
                    .publish(change, Map.of("approval", "preview (DRY_RUN)"));
            if (r.idempotencyKey() != null) {
                plan.state(WorkflowState.answerKey(r.principal().name(), r.idempotencyKey()),
                        stored(new Answer(202, body, Map.of()), r).toString());
            }
            return plan;
        });
        return previewAnswer(requestId, settings.previewTimeout());
    }

    /** {@code GET /v1/previews/{requestId}}: the report, or 404 while it is not (yet) there. */
    public Answer previewReport(String requestId) throws RefusedException {
        Answer a = previewAnswer(requestId, Duration.ZERO);
        if (a.status() != 200) {
            throw new RefusedException(ApiError.at(ApiError.NOT_FOUND, "requestId", "no impact report for request `"
                    + DirectiveValidator.clip(requestId) + "` (yet): it appears once every partition has swept"));
        }
        return a;
    }

    private Answer previewAnswer(String requestId, Duration wait) throws RefusedException {
        Optional<DirectiveImpact> report;
        try {
            report = impacts.awaitPreview(requestId, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RefusedException(new ApiError(ApiError.UNAVAILABLE, null, "interrupted"));
        }
        if (report.isEmpty()) {
            ObjectNode body = WorkflowState.MAPPER.createObjectNode();
            body.put("requestId", requestId).put("status", "RUNNING").put("poll", "/v1/previews/" + requestId);
            return new Answer(202, body, Map.of("Location", "/v1/previews/" + requestId));
        }
        return new Answer(200, impactJson(report.get(), true), Map.of());
    }

    static ObjectNode impactJson(DirectiveImpact i, boolean withRequest) {
        ObjectNode o = WorkflowState.MAPPER.createObjectNode();
        if (withRequest) {
            o.put("requestId", i.getRequestId()).put("status", "COMPLETE");
        }
        o.put("directiveId", i.getDirectiveId()).put("revision", i.getRevision()).put("mode", i.getMode().name())
                .put("covered", i.getCovered()).put("revoked", i.getRevoked())
                .put("partitionsReported", i.getPartitionsReported()).put("partitionCount", i.getPartitionCount());
        ObjectNode byResource = o.putObject("countsByResource");
        i.getCountsByResource().forEach(byResource::put);
        ObjectNode byNationality = o.putObject("countsByNationality");
        i.getCountsByNationality().forEach(byNationality::put);
        ObjectNode byRole = o.putObject("countsByRole");
        i.getCountsByRole().forEach(byRole::put);
        ArrayNode sample = o.putArray("sampleSessionIds");
        i.getSampleSessionIds().forEach(sample::add);
        o.put("acceptedAt", i.getAcceptedAt().toString()).put("completedAt", i.getCompletedAt().toString());
        return o;
    }

    // ------------------------------------------------------------------------------------------------ refusals

    /**
     * Audits a refusal ({@code DIRECTIVE_REFUSED}, origin -2) with the principal — never the token — and, for an
     * authenticated request with an {@code Idempotency-Key} not used before, remembers it as the key's answer.
     *
     * @throws RefusedException 503 when the refusal cannot be audited (then the request is not answered with it)
     */
    public void auditRefusal(Request r, RefusedException refusal) throws RefusedException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ApiError first = refusal.errors().get(0);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("status", Integer.toString(refusal.status()));
        details.put("principal", r.principal() == null ? "(unauthenticated)" : r.principal().display());
        if (r.principal() != null) {
            details.put("roles", dev.cordon.ingest.Role.join(r.principal().roles()));
        }
        details.put("error", clip(first.error(), 1_000));
        if (first.field() != null) {
            details.put("field", clip(first.field(), 200));
        }
        details.put("method", r.method());
        details.put("path", clip(r.path(), 300));
        if (r.remoteAddress() != null) {
            details.put("remoteAddress", r.remoteAddress());
        }
        String directiveId = directiveIdOf(r);
        AuditEvent event = workflowEvent(AuditEventType.DIRECTIVE_REFUSED, directiveId, null, now, details);
        boolean rememberable = r.principal() != null && r.idempotencyKey() != null
                && IDEMPOTENCY_KEY.matcher(r.idempotencyKey()).matches()
                && refusal.status() != ApiError.UNAVAILABLE && !"idempotency".equals(first.field());
        log.write((ledger, wf) -> {
            DirectiveLog.Plan<Void> plan = new DirectiveLog.Plan<Void>(null).audit(event);
            if (rememberable && wf.answer(r.principal().name(), r.idempotencyKey()).isEmpty()) {
                plan.state(WorkflowState.answerKey(r.principal().name(), r.idempotencyKey()),
                        stored(new Answer(refusal.status(), HttpApi.errorBody(refusal), refusal.headers()), r).toString());
            }
            return plan;
        });
    }

    /** The directive id a request concerns, when it is a valid one: from the path, else the body. */
    private static String directiveIdOf(Request r) {
        String candidate = null;
        String[] parts = r.path().split("/");
        if (parts.length >= 4 && parts[1].equals("v1") && parts[2].equals("directives")) {
            candidate = parts[3];
        } else if (r.body() != null && r.body().length() < 1_000_000) {
            try {
                candidate = WorkflowState.MAPPER.readTree(r.body()).path("directiveId").asText(null);
            } catch (JsonProcessingException | RuntimeException e) {
                candidate = null;
            }
        }
        return candidate != null && DirectiveValidator.DIRECTIVE_ID.matcher(candidate).matches() ? candidate : null;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private boolean needsApproval(ValidatedDirective v) {
        if (!settings.approvalRequired()) {
            return false;
        }
        if (v.mode() == DirectiveMode.DRY_RUN && settings.exempt().contains("DRY_RUN")) {
            return false;
        }
        return !(v.action() == DirectiveAction.LIFT && settings.exempt().contains("LIFT"));
    }

    private String approvalNote(ValidatedDirective v) {
        if (!settings.approvalRequired()) {
            return "not required (ingest.approval.required=false or authentication disabled)";
        }
        return v.mode() == DirectiveMode.DRY_RUN ? "exempt: DRY_RUN" : "exempt: LIFT";
    }

    private static void checkKey(Request r) throws RefusedException {
        if (r.idempotencyKey() != null && !IDEMPOTENCY_KEY.matcher(r.idempotencyKey()).matches()) {
            throw new RefusedException(new ApiError(ApiError.BAD_REQUEST, "idempotency",
                    "`Idempotency-Key` must be 1 to 255 visible ASCII characters"));
        }
    }

    /** @return the remembered answer, or {@code null}; 422 when the key was used for another request */
    private static Answer replay(Request r, WorkflowState wf) throws RefusedException {
        if (r.idempotencyKey() == null) {
            return null;
        }
        Optional<ObjectNode> stored = wf.answer(r.principal().name(), r.idempotencyKey());
        if (stored.isEmpty()) {
            return null;
        }
        ObjectNode s = stored.get();
        if (!s.path("fingerprint").asText().equals(fingerprint(r))) {
            throw new RefusedException(new ApiError(ApiError.UNPROCESSABLE, "idempotency", "`Idempotency-Key` `"
                    + DirectiveValidator.clip(r.idempotencyKey()) + "` was already used at " + s.path("at").asText()
                    + " for another request (" + s.path("request").asText() + "); use a new key for a new request"));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        s.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        headers.put("Idempotent-Replayed", "true");
        return new Answer(s.path("status").asInt(), (ObjectNode) s.get("body"), headers);
    }

    private static DirectiveLog.Plan<Answer> remember(DirectiveLog.Plan<Answer> plan, Request r) {
        if (r.idempotencyKey() != null) {
            plan.state(WorkflowState.answerKey(r.principal().name(), r.idempotencyKey()), stored(plan.result(), r).toString());
        }
        return plan;
    }

    private static ObjectNode stored(Answer a, Request r) {
        ObjectNode s = WorkflowState.MAPPER.createObjectNode();
        s.put("fingerprint", fingerprint(r)).put("request", r.method() + " " + clip(r.path(), 300))
                .put("at", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString()).put("status", a.status());
        s.set("body", a.body());
        ObjectNode headers = s.putObject("headers");
        a.headers().forEach(headers::put);
        return s;
    }

    private static String fingerprint(Request r) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((r.method() + " " + r.path() + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update((r.body() == null ? "" : r.body()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Answer accepted(DirectiveChange change, int status) {
        ObjectNode response = WorkflowState.MAPPER.createObjectNode();
        response.put("directiveId", change.getDirectiveId());
        response.put("revision", change.getRevision());
        response.put("changeId", change.getChangeId());
        response.put("acceptedAt", change.getAcceptedAt().toString());
        response.put("effectiveFrom", change.getEffectiveFrom().toString());
        if (change.getEffectiveUntil() != null) {
            response.put("effectiveUntil", change.getEffectiveUntil().toString());
        }
        response.put("mode", change.getMode().name());
        if (change.getRequestId() != null) {
            response.put("requestId", change.getRequestId());
        }
        response.put("status", "ACCEPTED");
        return new Answer(status, response, Map.of("Location", "/v1/directives/" + change.getDirectiveId()));
    }

    static JsonNode parse(String text) throws RefusedException {
        try {
            JsonNode node = text == null || text.isBlank() ? null : DirectiveJson.MAPPER.readTree(text);
            return node;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new RefusedException(new ApiError(ApiError.BAD_REQUEST, "$",
                    "the body is not valid JSON" + where + ": " + clip(e.getOriginalMessage(), 300)));
        }
    }

    private static JsonNode documentWithout(JsonNode document, String field) {
        ObjectNode copy = ((ObjectNode) document).deepCopy();
        copy.remove(field);
        return copy;
    }

    static String approvePath(String directiveId, int revision) {
        return "/v1/directives/" + directiveId + "/revisions/" + revision + ":approve";
    }

    private static AuditEvent workflowEvent(AuditEventType type, String directiveId, Integer revision, Instant at,
                                            Map<String, String> details) {
        return AuditEvent.newBuilder()
                .setEventId("(assigned)").setType(type).setComponent(DirectiveLog.COMPONENT)
                .setSourcePartition(DirectiveLog.WORKFLOW_SOURCE_PARTITION).setSequence(0)
                .setOccurredAt(at).setDirectiveId(directiveId).setDirectiveRevision(revision)
                .setSessionId(null).setCommandId(null).setDetails(details).build();
    }

    static String clip(String s, int max) {
        if (s == null) {
            return null;
        }
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
