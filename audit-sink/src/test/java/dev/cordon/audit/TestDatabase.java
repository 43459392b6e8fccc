package dev.cordon.audit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL for the tests — its own (zonky embedded binaries, {@link #start()}) or the test cluster's
 * ({@link #onServer}); each {@link #newDatabase()} is a fresh, migrated database with the owner (a superuser:
 * {@code postgres} on its own server, the cluster's {@code jdbcUser} otherwise) and the service role.
 */
final class TestDatabase implements AutoCloseable {
    static final String OWNER = "postgres";
    static final String OWNER_PASSWORD = "postgres";
    static final String SERVICE = "cordon_audit";
    static final String SERVICE_PASSWORD = "svc-pw";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String urlPrefix;
    private final DataSource admin;
    private final String ownerUser;
    private final String ownerPassword;
    private final AutoCloseable server;

    private TestDatabase(String urlPrefix, DataSource admin, String ownerUser, String ownerPassword, AutoCloseable server) {
        this.urlPrefix = urlPrefix;
        this.admin = admin;
        this.ownerUser = ownerUser;
        this.ownerPassword = ownerPassword;
        this.server = server;
    }

    /** Starts its own PostgreSQL server; {@link #close()} stops it. */
    static TestDatabase start() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
            // No user in the URL: pgjdbc lets URL parameters override the user given to getConnection.
            return new TestDatabase("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/", pg.getPostgresDatabase(),
                    OWNER, OWNER_PASSWORD, pg);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Uses a running server, e.g. the test cluster's; databases are created, and owned, by {@code superuser}.
     *
     * @param jdbcUrl any database on the server, e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres?k=v}
     */
    static TestDatabase onServer(String jdbcUrl, String superuser, String password) {
        String base = jdbcUrl.contains("?") ? jdbcUrl.substring(0, jdbcUrl.indexOf('?')) : jdbcUrl;
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(jdbcUrl);
        ds.setUser(superuser);
        ds.setPassword(password);
        return new TestDatabase(base.substring(0, base.lastIndexOf('/') + 1), ds, superuser, password, () -> { });
    }

    /** A fresh database, not migrated. */
    Db emptyDatabase() {
        String name = "audit_" + COUNTER.incrementAndGet();
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new Db(urlPrefix + name, ownerUser, ownerPassword);
    }

    /** A fresh, migrated database. */
    Db newDatabase() {
        Db db = emptyDatabase();
        AuditDatabase.migrate(db.url(), ownerUser, ownerPassword, SERVICE, SERVICE_PASSWORD);
        return db;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop PostgreSQL", e);
        }
    }

    /** One database: its URL, its owner's credentials, and data sources for the owner and the service role. */
    record Db(String url, String ownerUser, String ownerPassword) {
        DataSource owner() {
            return ds(ownerUser, ownerPassword);
        }

        DataSource service() {
            return ds(SERVICE, SERVICE_PASSWORD);
        }

        Connection ownerConnection() throws SQLException {
            return DriverManager.getConnection(url, ownerUser, ownerPassword);
        }

        Connection serviceConnection() throws SQLException {
            return DriverManager.getConnection(url, SERVICE, SERVICE_PASSWORD);
        }

        private DataSource ds(String user, String password) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setUrl(url);
            ds.setUser(user);
            ds.setPassword(password);
            return ds;
        }
    }
}
