package dev.cordon.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Append-only is enforced by PostgreSQL itself: privileges of the service role and triggers for the owner. */
@Tag("integration")
class AuditDatabaseTest {
    private static final String PERMISSION_DENIED = "42501";
    private static TestDatabase pg;
    private TestDatabase.Db db;

    @BeforeAll
    static void startPostgres() {
        pg = TestDatabase.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @BeforeEach
    void threeEntries() throws SQLException {
        db = pg.newDatabase();
        try (Connection svc = db.serviceConnection()) {
            TestEvents.appendChain(svc, 3);
        }
    }

    @Test
    void shouldLetTheServiceRoleInsertAndSelect() throws SQLException {
        try (Connection svc = db.serviceConnection(); Statement st = svc.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM audit_entries")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(3);
        }
    }

    @Test
    void shouldRefuseUpdateAsTheServiceRole() {
        assertRefusedForService("UPDATE audit_entries SET details = 'x' WHERE seq = 1");
    }

    @Test
    void shouldRefuseDeleteAsTheServiceRole() {
        assertRefusedForService("DELETE FROM audit_entries WHERE seq = 3");
    }

    @Test
    void shouldRefuseTruncateAsTheServiceRole() {
        assertRefusedForService("TRUNCATE audit_entries");
    }

    @Test
    void shouldNotLetTheServiceRoleDisableTheTriggers() {
        assertRefusedForService("ALTER TABLE audit_entries DISABLE TRIGGER ALL");
        assertRefusedForService("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_delete");
        assertRefusedForService("DROP TRIGGER audit_entries_no_update ON audit_entries");
        assertRefusedForService("SET session_replication_role = replica");
    }

    @Test
    void shouldRejectUpdateDeleteAndTruncateEvenForTheOwnerThroughTheTriggers() {
        for (String sql : new String[] {
                "UPDATE audit_entries SET details = 'x' WHERE seq = 1",
                "DELETE FROM audit_entries WHERE seq = 3",
                "TRUNCATE audit_entries",
                "TRUNCATE audit_payload_schemas"}) {
            assertThatThrownBy(() -> {
                try (Connection c = db.ownerConnection(); Statement st = c.createStatement()) {
                    st.execute(sql);
                }
            }).as(sql).isInstanceOf(SQLException.class).hasMessageContaining("append-only");
        }
    }

    @Test
    void shouldKeepTheTablesOwnedByTheOwnerNotTheServiceRole() throws SQLException {
        try (Connection c = db.ownerConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_entries'")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(TestDatabase.OWNER);
        }
    }

    @Test
    void shouldMigrateIdempotently() {
        assertThat(AuditDatabase.migrate(db.url(), TestDatabase.OWNER, TestDatabase.OWNER_PASSWORD,
                TestDatabase.SERVICE, TestDatabase.SERVICE_PASSWORD)).isZero();
    }

    @Test
    void shouldRefuseToUseTheOwnerAsServiceRole() {
        assertThatThrownBy(() -> AuditDatabase.migrate(db.url(), TestDatabase.OWNER, TestDatabase.OWNER_PASSWORD,
                TestDatabase.OWNER, TestDatabase.OWNER_PASSWORD))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc.user");
    }

    @Test
    void shouldRefuseAServiceRoleNameThatIsNotAPlainIdentifier() {
        assertThatThrownBy(() -> AuditDatabase.migrate(db.url(), TestDatabase.OWNER, TestDatabase.OWNER_PASSWORD,
                "x; DROP TABLE audit_entries", "pw"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid role name");
    }

    private void assertRefusedForService(String sql) {
        assertThatThrownBy(() -> {
            try (Connection c = db.serviceConnection(); Statement st = c.createStatement()) {
                st.execute(sql);
            }
        }).as(sql).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo(PERMISSION_DENIED));
    }
}
