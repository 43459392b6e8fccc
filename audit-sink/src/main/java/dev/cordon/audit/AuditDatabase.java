package dev.cordon.audit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Schema management of the audit database (PostgreSQL): Flyway migrations in
 * {@code classpath:db/migration} ({@code V1__audit_entries.sql} …), run as the table owner, and the
 * service role the sink writes as.
 *
 * <p>Append-only is enforced by the database itself (DESIGN.md "Audit trail"): row-level
 * {@code BEFORE UPDATE/DELETE} triggers and a statement-level {@code BEFORE TRUNCATE} trigger raise;
 * the service role gets {@code INSERT} and {@code SELECT} only and does not own the tables, so it can
 * neither {@code ALTER TABLE … DISABLE TRIGGER} nor drop them.
 */
public final class AuditDatabase {
    /** Tables of the audit trail (all append-only). */
    public static final String ENTRIES_TABLE = "audit_entries";
    public static final String SCHEMAS_TABLE = "audit_payload_schemas";
    /** Tables added by {@code V2__merkle_tree_and_checkpoints.sql} (all append-only, same triggers). */
    public static final java.util.List<String> TREE_TABLES = java.util.List.of(
            "audit_tree_nodes", "audit_tree_heads", "audit_signing_keys", "audit_checkpoints", "audit_cosignatures");

    private static final Pattern ROLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private AuditDatabase() {
    }

    /**
     * Migrates the schema as {@code ownerUser}, creates {@code serviceUser} (LOGIN, with
     * {@code servicePassword}) if no such role exists (an existing role keeps its password), and grants
     * it {@code SELECT, INSERT} on the audit tables — nothing else. Idempotent.
     *
     * @param jdbcUrl         {@code jdbc:postgresql:…}
     * @param ownerUser       role that owns (or will own) the tables; needs CREATEROLE to create the service role
     * @param ownerPassword   its password
     * @param serviceUser     service role name: letters, digits, underscore, at most 63 characters, not the owner
     * @param servicePassword password used only when the role is created
     * @return the number of migrations applied by this call
     * @throws IllegalArgumentException if a role name is invalid or the service role would be the owner
     * @throws IllegalStateException    wrapping the SQL/Flyway error (with its message) when migration fails
     */
    public static int migrate(String jdbcUrl, String ownerUser, String ownerPassword, String serviceUser,
                              String servicePassword) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(ownerUser, "ownerUser");
        Objects.requireNonNull(serviceUser, "serviceUser");
        if (!ROLE_NAME.matcher(serviceUser).matches()) {
            throw new IllegalArgumentException("jdbc.user: '" + serviceUser
                    + "' is not a valid role name (letters, digits, '_', at most 63 characters, not starting with a digit)");
        }
        if (serviceUser.equalsIgnoreCase(ownerUser)) {
            throw new IllegalArgumentException("jdbc.user: the service role '" + serviceUser
                    + "' must not be the owner role (jdbc.owner.user): the owner can disable the append-only triggers");
        }
        MigrateResult result;
        try {
            result = Flyway.configure()
                    .dataSource(jdbcUrl, ownerUser, ownerPassword)
                    .locations("classpath:db/migration")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw new IllegalStateException("audit database migration failed at " + jdbcUrl + ": " + e.getMessage(), e);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl, ownerUser, ownerPassword)) {
            ensureServiceRole(c, serviceUser, servicePassword);
        } catch (SQLException e) {
            throw new IllegalStateException("setting up service role '" + serviceUser + "' failed: " + e.getMessage(), e);
        }
        return result.migrationsExecuted;
    }

    private static void ensureServiceRole(Connection c, String role, String password) throws SQLException {
        boolean exists;
        boolean superuser = false;
        try (PreparedStatement ps = c.prepareStatement("SELECT rolsuper FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
                if (exists) {
                    superuser = rs.getBoolean(1);
                }
            }
        }
        if (superuser) {
            throw new IllegalArgumentException("jdbc.user: '" + role
                    + "' is a superuser; the service role must be an ordinary role (INSERT and SELECT only)");
        }
        if (!exists) {
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("jdbc.password: required to create the service role '" + role + "'");
            }
            // Server-side quoting (%I identifier, %L literal) — no string building of SQL from input.
            String create;
            try (PreparedStatement ps = c.prepareStatement("SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', ?, ?)")) {
                ps.setString(1, role);
                ps.setString(2, password);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    create = rs.getString(1);
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute(create);
            }
        }
        String owner = tableOwner(c);
        if (role.equals(owner)) {
            throw new IllegalArgumentException("jdbc.user: the service role '" + role + "' owns " + ENTRIES_TABLE
                    + "; use another role for the sink");
        }
        String quoted = quoteIdent(c, role);
        try (Statement st = c.createStatement()) {
            String tables = ENTRIES_TABLE + ", " + SCHEMAS_TABLE + ", " + String.join(", ", TREE_TABLES);
            st.execute("REVOKE ALL ON " + tables + " FROM " + quoted);
            st.execute("GRANT SELECT, INSERT ON " + tables + " TO " + quoted);
            st.execute("GRANT USAGE ON SCHEMA " + quoteIdent(c, currentSchema(c)) + " TO " + quoted);
        }
    }

    private static String tableOwner(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT tableowner FROM pg_tables WHERE tablename = ? AND schemaname = current_schema()")) {
            ps.setString(1, ENTRIES_TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String currentSchema(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_schema()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String quoteIdent(Connection c, String ident) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT quote_ident(?)")) {
            ps.setString(1, ident);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
