package dev.cordon.caep;

import dev.cordon.caep.internal.CaepMetrics;
import dev.cordon.caep.internal.CommandReader;
import dev.cordon.caep.internal.DeliveryStore;
import dev.cordon.caep.internal.NewEvents;
import dev.cordon.caep.internal.PushDeliverer;
import dev.cordon.caep.internal.SetFactory;
import dev.cordon.caep.internal.SigningKey;
import dev.cordon.caep.internal.SsfHttpServer;
import dev.cordon.ops.HealthCheck;
import dev.cordon.ops.OpsConfig;
import dev.cordon.ops.OpsMetrics;
import dev.cordon.ops.OpsServer;
import dev.cordon.schemas.TopicNames;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import io.javalin.Javalin;
import java.net.URI;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cordon's OpenID Shared Signals transmitter for security teams: every {@code REVOKE} on revocation-commands
 * (read {@code read_committed}) becomes one OpenID CAEP 1.0 {@code session-revoked} Security Event Token (RFC 8417)
 * per configured receiver, signed RS256 (CAEP interoperability profile), and is delivered by SSF push (RFC 8935)
 * or poll (RFC 8936). See {@link CaepConfig} for receivers and settings, and DESIGN.md "CAEP".
 *
 * <p>Durability: SETs are signed once and stored in PostgreSQL (schema {@code cordon_caep}) together with the
 * revocation-commands position, in one transaction; delivery status, attempts and retry times live in the same
 * table. A restart therefore loses no command and creates no second SET for one (same {@code jti}, same bytes).
 * A push in flight at a crash is sent again with the same {@code jti}; a polled SET not acknowledged is offered
 * again after {@code caep.poll.redelivery.ms}.
 *
 * <p>Operations (issue 7 §4): {@link #metricsRegistry()} holds {@code cordon_caep_events_signed_total},
 * {@code cordon_caep_events_delivered_total} and {@code cordon_caep_events_failed_total} (tags {@code receiver},
 * {@code delivery}), {@code cordon_caep_push_retries_total} and {@code cordon_caep_events_pending} (per receiver, from
 * the database), plus JVM and consumer metrics. Liveness: the reader and push threads run; readiness: also the
 * delivery store answers. With {@code ops.enabled=true} they are served on {@code ops.host:ops.port}
 * ({@link OpsServer}).
 *
 * <pre>{@code
 * try (CaepTransmitter t = CaepTransmitter.start(new CaepConfig(settings))) {
 *     URI poll = t.baseUri().resolve("/ssf/poll");
 * }
 * }</pre>
 */
public final class CaepTransmitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaepTransmitter.class);

    private final DeliveryStore store;
    private final CommandReader reader;
    private final Thread readerThread;
    private final PushDeliverer pusher;
    private final Thread pusherThread;
    private final Javalin server;
    private final URI baseUri;
    private final String jwks;
    private final OpsMetrics metrics;
    private final CaepMetrics caepMetrics;
    private OpsServer opsServer;
    private volatile boolean closed;

    private CaepTransmitter(DeliveryStore store, CommandReader reader, Thread readerThread, PushDeliverer pusher,
                            Thread pusherThread, Javalin server, URI baseUri, String jwks, OpsMetrics metrics,
                            CaepMetrics caepMetrics) {
        this.metrics = metrics;
        this.caepMetrics = caepMetrics;
        this.store = store;
        this.reader = reader;
        this.readerThread = readerThread;
        this.pusher = pusher;
        this.pusherThread = pusherThread;
        this.server = server;
        this.baseUri = baseUri;
        this.jwks = jwks;
    }

    /**
     * Migrates the delivery-state schema, loads (or creates) the signing key, starts reading revocation-commands
     * from the stored position, starts pushing, and serves HTTP; returns when all run.
     *
     * @throws IllegalStateException naming what failed (database, key file, missing topic, port in use);
     *                               everything already started is stopped
     */
    public static CaepTransmitter start(CaepConfig config) {
        SigningKey key = SigningKey.loadOrCreate(Path.of(config.getString(CaepConfig.SIGNING_KEY_FILE_CONFIG)),
                config.getInt(CaepConfig.SIGNING_KEY_BITS_CONFIG));
        DeliveryStore store = DeliveryStore.open(config.getString(CaepConfig.JDBC_URL_CONFIG),
                config.getString(CaepConfig.JDBC_USER_CONFIG), config.jdbcPassword());
        NewEvents newEvents = new NewEvents();
        OpsMetrics metrics = OpsMetrics.create("caep");
        CaepMetrics caepMetrics = new CaepMetrics(metrics.registry(), config.receivers());
        store.countIn(caepMetrics);
        String issuer = config.getString(CaepConfig.ISSUER_CONFIG);
        SetFactory sets = new SetFactory(issuer, config.getString(CaepConfig.SUBJECT_USER_ISSUER_CONFIG), key);
        List<CaepConfig.Receiver> push = config.receivers().stream().filter(r -> r.delivery() == CaepConfig.Delivery.PUSH).toList();
        List<CaepConfig.Receiver> poll = config.receivers().stream().filter(r -> r.delivery() == CaepConfig.Delivery.POLL).toList();
        if (config.receivers().isEmpty()) {
            LOG.warn("CAEP: no receivers configured ({}); REVOKE commands are read and no SET is made", CaepConfig.RECEIVERS_CONFIG);
        }

        CommandReader reader = null;
        Thread readerThread = null;
        PushDeliverer pusher = null;
        Thread pusherThread = null;
        Javalin server = null;
        try {
            String topic = config.getString(CaepConfig.TOPIC_PREFIX_CONFIG) + TopicNames.REVOCATION_COMMANDS;
            reader = new CommandReader(config.kafkaClientConfig(), config.serdeConfig(), topic,
                    config.getString(CaepConfig.START_FROM_CONFIG).equals("earliest"), config.receivers(), sets, store, newEvents);
            readerThread = new Thread(reader, "cordon-caep-reader");
            readerThread.start();
            reader.awaitReady(Duration.ofSeconds(60));

            pusher = new PushDeliverer(store, newEvents, push, config.getLong(CaepConfig.PUSH_TIMEOUT_MS_CONFIG),
                    config.getLong(CaepConfig.PUSH_BACKOFF_MS_CONFIG), config.getLong(CaepConfig.PUSH_BACKOFF_MAX_MS_CONFIG),
                    config.getInt(CaepConfig.PUSH_MAX_ATTEMPTS_CONFIG));
            pusherThread = new Thread(pusher, "cordon-caep-push");
            pusherThread.start();

            SsfHttpServer http = new SsfHttpServer(store, newEvents, poll, issuer, key.publicJwkSetJson(),
                    config.getInt(CaepConfig.POLL_MAX_EVENTS_CONFIG), config.getLong(CaepConfig.POLL_WAIT_MS_CONFIG),
                    config.getLong(CaepConfig.POLL_REDELIVERY_MS_CONFIG));
            server = http.create();
            String host = config.getString(CaepConfig.HTTP_HOST_CONFIG);
            try {
                server.start(host, config.getInt(CaepConfig.HTTP_PORT_CONFIG));
            } catch (RuntimeException e) {
                throw new IllegalStateException(CaepConfig.HTTP_PORT_CONFIG + ": cannot listen on " + host + ":"
                        + config.getInt(CaepConfig.HTTP_PORT_CONFIG) + ": " + e.getMessage(), e);
            }
            String shownHost = host.equals("0.0.0.0") ? "127.0.0.1" : host;
            URI base = URI.create("http://" + (shownHost.contains(":") ? "[" + shownHost + "]" : shownHost) + ":" + server.port());
            http.publicBase(base.toString());
            LOG.info("CAEP transmitter on {} ({} push, {} poll receivers; key {})", base, push.size(), poll.size(), key.keyId());
            metrics.bind(reader.consumer());
            CaepTransmitter t = new CaepTransmitter(store, reader, readerThread, pusher, pusherThread, server, base,
                    key.publicJwkSetJson(), metrics, caepMetrics);
            try {
                t.opsServer = OpsServer.startIfEnabled(OpsConfig.settings(config), metrics.registry(), t.livenessChecks(),
                        t.readinessChecks()).orElse(null);
            } catch (RuntimeException e) {
                t.close();
                throw new OpsFailure(e);
            }
            return t;
        } catch (OpsFailure e) {
            throw e;
        } catch (RuntimeException | InterruptedException e) {
            metrics.close();
            if (server != null) {
                server.stop();
            }
            stopThread(pusher == null ? null : pusher::stop, pusherThread);
            CommandReader r = reader;
            stopThread(r == null ? null : r::stop, readerThread);
            store.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the CAEP transmitter", e);
            }
            throw (RuntimeException) e;
        }
    }

    /** Thrown by start() after the transmitter closed itself. */
    private static final class OpsFailure extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        OpsFailure(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** @return the transmitter's metrics registry (scrape it, or serve it with {@link OpsServer}) */
    public PrometheusMeterRegistry metricsRegistry() {
        return metrics.registry();
    }

    /** @return liveness checks: {@code caep-reader} and {@code caep-push} threads run */
    public List<HealthCheck> livenessChecks() {
        return List.of(
                HealthCheck.of("caep-reader", () -> closed() || readerThread.isAlive(),
                        () -> readerThread.isAlive() ? "reading revocation-commands" : "reader thread stopped"),
                HealthCheck.of("caep-push", () -> closed() || pusherThread.isAlive(),
                        () -> pusherThread.isAlive() ? "pushing" : "push thread stopped"));
    }

    /** @return readiness checks: the liveness checks and {@code delivery-store} (the database answers) */
    public List<HealthCheck> readinessChecks() {
        List<HealthCheck> checks = new java.util.ArrayList<>(livenessChecks());
        checks.add(HealthCheck.of("delivery-store", caepMetrics::storeReadable,
                () -> caepMetrics.storeError() == null ? "readable" : caepMetrics.storeError()));
        return List.copyOf(checks);
    }

    /** @return the metrics and health endpoint when {@code ops.enabled=true}, else empty */
    public Optional<OpsServer> opsServer() {
        return Optional.ofNullable(opsServer);
    }

    private boolean closed() {
        return closed;
    }

    /** @return the HTTP base URI, e.g. {@code http://127.0.0.1:8090}; poll at {@code /ssf/poll} */
    public URI baseUri() {
        return baseUri;
    }

    /** @return the bound HTTP port */
    public int port() {
        return server.port();
    }

    /** @return the public signing key as a JWK Set (JSON), also served at {@code /jwks.json} */
    public String jwks() {
        return jwks;
    }

    /**
     * @return every stored SET's delivery state, oldest first, as {@code receiver jti status attempts}; for
     *         operators and tests
     * @throws IllegalStateException when the database cannot be read
     */
    public List<DeliveryState> deliveryStates() {
        try {
            return store.rows().stream()
                    .map(r -> new DeliveryState(r.receiver(), r.jti(), r.commandId(), r.status(), r.attempts(), r.lastError()))
                    .toList();
        } catch (SQLException e) {
            throw new IllegalStateException("reading CAEP delivery state: " + e.getMessage(), e);
        }
    }

    /**
     * Delivery state of one SET.
     *
     * @param receiver  receiver name
     * @param jti       the SET's {@code jti}
     * @param commandId the REVOKE it reports
     * @param status    {@code PENDING}, {@code DELIVERED} (push: 202; poll: acknowledged) or {@code FAILED}
     * @param attempts  push attempts, or times handed out to polls
     * @param lastError the last delivery error, or {@code null}
     */
    public record DeliveryState(String receiver, String jti, String commandId, String status, int attempts, String lastError) {
    }

    /** Stops HTTP, pushing and reading (in that order), then the database pool. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (opsServer != null) {
            opsServer.close();
        }
        server.stop();
        stopThread(pusher::stop, pusherThread);
        stopThread(reader::stop, readerThread);
        store.close();
        metrics.close();
    }

    private static void stopThread(Runnable stop, Thread thread) {
        if (stop == null || thread == null) {
            return;
        }
        stop.run();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
