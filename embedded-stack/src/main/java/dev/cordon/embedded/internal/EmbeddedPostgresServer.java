package dev.cordon.embedded.internal;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL server (zonky's binaries from Maven Central) started as a child process. The data
 * directory is initialised on first start ({@code initdb}) and reused afterwards; it is never deleted here.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    /** Superuser created by zonky's {@code initdb -U postgres}; authentication is {@code trust}. */
    public static final String SUPERUSER = "postgres";
    /** Ignored by {@code trust} authentication; given so that clients requiring one have one. */
    public static final String PASSWORD = "postgres";
    public static final String DATABASE = "postgres";

    private final EmbeddedPostgres postgres;
    private final String host;
    private boolean closed;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, String host) {
        this.postgres = postgres;
        this.host = host;
    }

    /**
     * @param host    listen address, e.g. {@code 127.0.0.1}
     * @param port    TCP port; 0 picks a free one
     * @param dataDir PostgreSQL data directory (PGDATA); kept after close
     */
    public static EmbeddedPostgresServer start(String host, int port, Path dataDir) {
        try {
            Files.createDirectories(dataDir.getParent());
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port == 0 ? FreePorts.pick(host) : port)
                    .setServerConfig("listen_addresses", host)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
            return new EmbeddedPostgresServer(pg, host);
        } catch (IOException e) {
            throw new IllegalStateException("Embedded PostgreSQL did not start in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port() + "/" + DATABASE;
    }

    /** @return a new non-pooled data source connecting as the superuser to database {@code postgres} */
    public DataSource dataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {host});
        ds.setPortNumbers(new int[] {port()});
        ds.setDatabaseName(DATABASE);
        ds.setUser(SUPERUSER);
        ds.setPassword(PASSWORD);
        return ds;
    }

    /** Stops the server (fast shutdown, data kept); idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            postgres.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring failure while stopping PostgreSQL: {}", e.toString());
        }
    }
}
