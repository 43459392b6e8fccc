package dev.cordon.ingest;

import dev.cordon.ops.HealthCheck;
import dev.cordon.ops.OpsConfig;
import dev.cordon.ops.OpsMetrics;
import dev.cordon.ops.OpsServer;
import dev.cordon.ingest.internal.Authenticator;
import dev.cordon.ingest.internal.DirectiveLog;
import dev.cordon.ingest.internal.HttpApi;
import dev.cordon.ingest.internal.ImpactView;
import dev.cordon.ingest.internal.Workflow;
import dev.cordon.schemas.TopicCatalogue;
import dev.cordon.schemas.signing.SigningKey;
import dev.cordon.schemas.signing.TrustedKeys;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.types.Password;
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
 * <p>HTTP API: see {@code directive-ingest/README.md} and the OpenAPI document served at
 * {@code /v1/openapi.json}. Issue 6 adds roles on bearer tokens (401/403, refusals audited with the principal),
 * four-eyes approval ({@code POST /v1/directives/{id}/revisions/{rev}:approve}), break-glass, Ed25519-signed
 * changes ({@link #signingKey()}), preview ({@code POST /v1/directives:preview}) and durable
 * {@code Idempotency-Key}s; the rules are in {@code internal.Workflow}, the transactional core in
 * {@code internal.DirectiveLog}.
 *
 * <p>Revision state is rebuilt from directive-changes at start-up and re-read before every write, so it
 * survives restarts and is shared by several instances on one cluster (see {@code DirectiveLog} for why
 * concurrent instances never both accept the same revision).
 */
public final class IngestService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private final DirectiveLog log;
    private final ImpactView impacts;
    private final Javalin server;
    private final String host;

    private final OpsMetrics metrics;
    private final OpsServer ops;

    private IngestService(DirectiveLog log, ImpactView impacts, Javalin server, String host, OpsMetrics metrics,
                          OpsServer ops) {
        this.metrics = metrics;
        this.ops = ops;
        this.log = log;
        this.impacts = impacts;
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
        SigningKey signingKey = signingKey(config);
        TrustedKeys trusted = TrustedKeys.parse(config.getList(IngestConfig.SIGNING_TRUSTED_KEYS_CONFIG));
        String prefix = config.getString(IngestConfig.TOPIC_PREFIX_CONFIG);
        DirectiveLog log = DirectiveLog.open(config.kafkaClientConfig(), topics,
                config.getString(IngestConfig.TRANSACTIONAL_ID_CONFIG),
                Duration.ofMillis(config.getLong(IngestConfig.REQUEST_TIMEOUT_MS_CONFIG)),
                Duration.ofMillis(config.getLong(IngestConfig.STARTUP_TIMEOUT_MS_CONFIG)),
                prefix + config.getString(IngestConfig.STATE_TOPIC_CONFIG), signingKey, trusted);
        ImpactView impacts;
        try {
            impacts = ImpactView.start(config.kafkaClientConfig(), topics);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        boolean approval = config.getBoolean(IngestConfig.APPROVAL_REQUIRED_CONFIG);
        if (approval && authenticator.isDisabled()) {
            LOG.warn("Four-eyes approval is off: with authentication disabled, principals cannot be told apart");
            approval = false;
        }
        Set<String> exempt = config.getList(IngestConfig.APPROVAL_EXEMPT_CONFIG).stream().map(String::trim)
                .collect(Collectors.toSet());
        Workflow workflow = new Workflow(log, impacts, new Workflow.Settings(approval, exempt,
                Duration.ofMillis(config.getLong(IngestConfig.BREAK_GLASS_WINDOW_MS_CONFIG)),
                Duration.ofMillis(config.getLong(IngestConfig.PREVIEW_TIMEOUT_MS_CONFIG))));
        String host = config.getString(IngestConfig.HOST_CONFIG);
        OpsMetrics metrics = OpsMetrics.create("directive-ingest");
        Javalin server = new HttpApi(log, authenticator, workflow, impacts).create(metrics.registry());
        try {
            server.start(host, config.getInt(IngestConfig.PORT_CONFIG));
        } catch (RuntimeException e) {
            impacts.close();
            log.close();
            throw new IllegalStateException("Cannot serve HTTP on " + host + ":"
                    + config.getInt(IngestConfig.PORT_CONFIG) + ": " + e.getMessage(), e);
        }
        OpsServer ops;
        try {
            ops = OpsServer.startIfEnabled(OpsConfig.settings(config), metrics.registry(),
                    java.util.List.of(),
                    java.util.List.of(HealthCheck.of("directive-log", log::healthy, log::healthDetail)))
                    .orElse(null);
        } catch (RuntimeException e) {
            server.stop();
            impacts.close();
            log.close();
            throw e;
        }
        IngestService service = new IngestService(log, impacts, server, host, metrics, ops);
        LOG.info("Directive ingest serving on {}", service.baseUri());
        return service;
    }

    private static SigningKey signingKey(IngestConfig config) {
        Password secret = config.getPassword(IngestConfig.SIGNING_PRIVATE_KEY_CONFIG);
        String keyId = config.getString(IngestConfig.SIGNING_KEY_ID_CONFIG);
        if (secret == null) {
            SigningKey generated = SigningKey.generate();
            if (keyId != null) {
                generated = new SigningKey(keyId, generated.privateKey(), generated.publicKey());
            }
            LOG.warn("{} is not set: signing directive changes with a key generated for this process only. Trust it "
                            + "in enforcement-stream with {}; changes signed before a restart will no longer be trusted.",
                    IngestConfig.SIGNING_PRIVATE_KEY_CONFIG, generated.trustedEntry());
            return generated;
        }
        try {
            return SigningKey.fromPrivateKey(keyId, secret.value());
        } catch (IllegalArgumentException e) {
            throw new org.apache.kafka.common.config.ConfigException(IngestConfig.SIGNING_PRIVATE_KEY_CONFIG + ": "
                    + e.getMessage());
        }
    }

    /** @return the key that signs every published change (its public half is what readers must trust) */
    public SigningKey signingKey() {
        return log.signingKey();
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
            if (ops != null) {
                ops.close();
            }
            server.stop();
        } finally {
            try {
                impacts.close();
            } finally {
                log.close();
                metrics.close();
            }
        }
    }

    /** @return the metrics and health endpoint's base URI, when {@code ops.enabled} */
    public java.util.Optional<URI> opsUri() {
        return java.util.Optional.ofNullable(ops).map(OpsServer::baseUri);
    }
}
