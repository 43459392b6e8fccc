package dev.cordon.ingest;

import dev.cordon.ingest.internal.Authenticator;
import dev.cordon.ingest.internal.DirectiveLog;
import dev.cordon.ingest.internal.HttpApi;
import dev.cordon.schemas.TopicCatalogue;
import io.javalin.Javalin;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directive-ingest service: an HTTP API that validates directive documents (DESIGN.md "Directive
 * document") and publishes each accepted one as a {@code DirectiveChange} on directive-changes together with
 * its {@code DIRECTIVE_ACCEPTED} {@code AuditEvent} on audit-log, in one Kafka transaction (DESIGN.md
 * "Outputs"). Nothing is published for a refused document.
 *
 * <p>HTTP API (JSON; every {@code /v1} route requires {@code Authorization: Bearer <token>} unless
 * {@link IngestConfig#AUTH_DISABLED_CONFIG} is true):
 * <ul>
 *   <li>{@code POST /v1/directives} — 202 {@code {"directiveId", "revision", "changeId", "acceptedAt",
 *       "effectiveFrom", "mode", "status": "ACCEPTED"}}; refusals: 400 not JSON, wrong JSON type or unknown
 *       field; 401 missing or invalid token (with {@code WWW-Authenticate: Bearer}); 404 LIFT of a directive
 *       never issued; 409 revision not higher than the current one (the message names it); 422 any other
 *       validation error; 503 Kafka could not complete within {@link IngestConfig#REQUEST_TIMEOUT_MS_CONFIG}.
 *       Error body: {@code {"error", "field", "status", "errors": [...]}}, {@code field} being the JSON path
 *       ({@code scope.subjects[0].all[1].values[0]}).</li>
 *   <li>{@code GET /v1/directives/{id}} — 200 {@code {"document", "status", "changeId", "acceptedAt",
 *       "principal"}} for the current revision ({@code status}: IN_FORCE, SCHEDULED, EXPIRED, LIFTED,
 *       LIFT_SCHEDULED), or 404.</li>
 *   <li>{@code GET /v1/directives} — 200 {@code {"directives": [...]}}, same items.</li>
 *   <li>{@code GET /health} — 200 {@code {"status":"UP"}} when the producer is initialised and the last
 *       catch-up/write succeeded, else 503 with a {@code detail}.</li>
 * </ul>
 *
 * <p>Revision state is rebuilt from directive-changes at start-up and re-read before every write, so it
 * survives restarts and is shared by several instances on one cluster (see {@code DirectiveLog} for why
 * concurrent instances never both accept the same revision).
 */
public final class IngestService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private final DirectiveLog log;
    private final Javalin server;
    private final String host;

    private IngestService(DirectiveLog log, Javalin server, String host) {
        this.log = log;
        this.server = server;
        this.host = host;
    }

    /**
     * Connects to Kafka, initialises the transactional producer, reads directive-changes to its end, then
     * starts serving HTTP. Blocks until it serves.
     *
     * @param config the configuration
     * @return the running service; close it to stop
     * @throws IllegalStateException if directive-changes does not exist or the HTTP port cannot be bound
     * @throws org.apache.kafka.common.KafkaException if Kafka cannot be reached or the catch-up does not finish
     *         within {@link IngestConfig#STARTUP_TIMEOUT_MS_CONFIG}
     */
    public static IngestService start(IngestConfig config) {
        Objects.requireNonNull(config, "config");
        Authenticator authenticator;
        if (config.getBoolean(IngestConfig.AUTH_DISABLED_CONFIG)) {
            LOG.warn("{}=true: the ingest API accepts directives WITHOUT authentication; use only for local demos",
                    IngestConfig.AUTH_DISABLED_CONFIG);
            authenticator = Authenticator.disabled();
        } else {
            authenticator = Authenticator.of(config.getList(IngestConfig.AUTH_TOKENS_CONFIG));
        }
        TopicCatalogue topics = TopicCatalogue.create(config.getString(IngestConfig.TOPIC_PREFIX_CONFIG),
                config.serdeConfig());
        DirectiveLog log = DirectiveLog.open(config.kafkaClientConfig(), topics,
                config.getString(IngestConfig.TRANSACTIONAL_ID_CONFIG),
                Duration.ofMillis(config.getLong(IngestConfig.REQUEST_TIMEOUT_MS_CONFIG)),
                Duration.ofMillis(config.getLong(IngestConfig.STARTUP_TIMEOUT_MS_CONFIG)));
        String host = config.getString(IngestConfig.HOST_CONFIG);
        Javalin server = new HttpApi(log, authenticator).create();
        try {
            server.start(host, config.getInt(IngestConfig.PORT_CONFIG));
        } catch (RuntimeException e) {
            log.close();
            throw new IllegalStateException("Cannot serve HTTP on " + host + ":"
                    + config.getInt(IngestConfig.PORT_CONFIG) + ": " + e.getMessage(), e);
        }
        IngestService service = new IngestService(log, server, host);
        LOG.info("Directive ingest serving on {}", service.baseUri());
        return service;
    }

    /** @return the bound TCP port (the actual one when {@link IngestConfig#PORT_CONFIG} was 0) */
    public int port() {
        return server.port();
    }

    /** @return {@code http://<host>:<port>/}, e.g. {@code http://127.0.0.1:8080/} */
    public URI baseUri() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return URI.create("http://" + h + ":" + port() + "/");
    }

    /** Stops serving, waits for a write in progress (at most the request timeout), closes the Kafka clients. */
    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            log.close();
        }
    }
}
