package dev.cordon.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.audit.internal.CanonicalAvro;
import dev.cordon.audit.internal.EntryStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The hash chain against an attacker who controls the database as the table OWNER and disables the
 * append-only triggers ({@code session_replication_role = replica}). Fixtures are named after the mutation.
 */
@Tag("integration")
class AuditChainTest {
    private static TestDatabase pg;
    private TestDatabase.Db db;
    private List<AuditEntry> chain;

    @BeforeAll
    static void startPostgres() {
        pg = TestDatabase.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @BeforeEach
    void tenEntries() throws SQLException {
        db = pg.newDatabase();
        try (Connection svc = db.serviceConnection()) {
            chain = TestEvents.appendChain(svc, 10);
        }
    }

    @Test
    void shouldVerifyAnUntouchedChainAndReportItsHead() {
        // Given ten appended entries (setUp)
        AtomicLong progress = new AtomicLong();

        // When
        VerifyReport report = AuditVerifier.verify(db.service(), progress::set);

        // Then
        assertThat(report.ok()).as(report.problem()).isTrue();
        assertThat(report.entries()).isEqualTo(10);
        assertThat(report.headHash()).isEqualTo(EntryHasher.hex(chain.get(9).entryHash()));
        assertThat(report.firstBadSequence()).isNull();
        assertThat(progress.get()).isEqualTo(10);
    }

    @Test
    void shouldVerifyAnEmptyTrailWithTheGenesisHead() {
        // Given
        TestDatabase.Db empty = pg.newDatabase();

        // When
        VerifyReport report = AuditVerifier.verify(empty.url(), TestDatabase.SERVICE, TestDatabase.SERVICE_PASSWORD, n -> { });

        // Then
        assertThat(report.ok()).isTrue();
        assertThat(report.entries()).isZero();
        assertThat(report.headHash()).isEqualTo("0".repeat(64));
    }

    @Test
    @DisplayName("modified-entry@3")
    void shouldNameEntry3WhenItsPayloadIsModified() throws SQLException {
        // Given the attacker rewrites the payload of entry 3
        byte[] forged = CanonicalAvro.encode(TestEvents.event(TestEvents.COMPONENT, 0, 3, "s-someone-else"));
        asAttacker(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE audit_entries SET payload = ? WHERE seq = 3")) {
                ps.setBytes(1, forged);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
        });

        // When
        VerifyReport report = AuditVerifier.verify(db.service());

        // Then
        assertThat(report.ok()).isFalse();
        assertThat(report.firstBadSequence()).isEqualTo(3L);
        assertThat(report.problem()).startsWith("modified-entry");
        assertThat(report.entries()).isEqualTo(2);
        assertThat(report.headHash()).isEqualTo(EntryHasher.hex(chain.get(1).entryHash()));
    }

    @Test
    @DisplayName("deleted-entry@5")
    void shouldNameEntry5WhenItIsDeleted() throws SQLException {
        // Given
        asAttacker(c -> exec(c, "DELETE FROM audit_entries WHERE seq = 5"));

        // When
        VerifyReport report = AuditVerifier.verify(db.service());

        // Then
        assertThat(report.ok()).isFalse();
        assertThat(report.firstBadSequence()).isEqualTo(5L);
        assertThat(report.problem()).startsWith("deleted-entry").contains("seq 5 missing");
    }

    @Test
    @DisplayName("inserted-entry@4")
    void shouldNameEntry4WhenAForgedEntryIsInsertedThere() throws SQLException {
        // Given the attacker renumbers 4..10 to 5..11 and inserts a correctly hashed forged entry at 4
        AuditEntry forged = TestEvents.entry(4, TestEvents.event("directive-ingest", -1, 1), 1_000)
                .chainedAfter(chain.get(2).entryHash());
        asAttacker(c -> {
            exec(c, "UPDATE audit_entries SET seq = seq + 1000000 WHERE seq >= 4");
            exec(c, "UPDATE audit_entries SET seq = seq - 999999 WHERE seq >= 1000000");
            EntryStore.insert(c, List.of(forged));
        });

        // When
        VerifyReport report = AuditVerifier.verify(db.service());

        // Then
        assertThat(report.ok()).isFalse();
        assertThat(report.firstBadSequence()).isEqualTo(4L);
        assertThat(report.problem()).startsWith("inserted-entry");
    }

    @Test
    @DisplayName("swapped@3-4")
    void shouldNameEntry3WhenEntries3And4AreSwapped() throws SQLException {
        // Given
        asAttacker(c -> {
            exec(c, "UPDATE audit_entries SET seq = 1000003 WHERE seq = 3");
            exec(c, "UPDATE audit_entries SET seq = 3 WHERE seq = 4");
            exec(c, "UPDATE audit_entries SET seq = 4 WHERE seq = 1000003");
        });

        // When
        VerifyReport report = AuditVerifier.verify(db.service());

        // Then
        assertThat(report.ok()).isFalse();
        assertThat(report.firstBadSequence()).isEqualTo(3L);
        assertThat(report.problem()).startsWith("reordered").contains("3 and 4");
    }

    @Test
    @DisplayName("deleted-and-rechained@5")
    void shouldCatchADeletedEventByItsOriginSequenceEvenWhenTheChainWasRecomputed() throws SQLException {
        // Given the attacker deletes entry 5, renumbers the rest and recomputes every later hash
        asAttacker(c -> {
            exec(c, "DELETE FROM audit_entries WHERE seq = 5");
            exec(c, "UPDATE audit_entries SET seq = seq + 1000000 WHERE seq > 5");
            exec(c, "UPDATE audit_entries SET seq = seq - 1000001 WHERE seq > 1000000");
            List<AuditEntry> rest = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT " + EntryStore.COLUMNS + " FROM audit_entries WHERE seq >= 5 ORDER BY seq")) {
                while (rs.next()) {
                    rest.add(EntryStore.read(rs));
                }
            }
            exec(c, "DELETE FROM audit_entries WHERE seq >= 5");
            byte[] prev = chain.get(3).entryHash();
            List<AuditEntry> rechained = new ArrayList<>();
            for (AuditEntry e : rest) {
                AuditEntry r = e.chainedAfter(prev);
                prev = r.entryHash();
                rechained.add(r);
            }
            EntryStore.insert(c, rechained);
        });

        // When
        VerifyReport report = AuditVerifier.verify(db.service());

        // Then the chain itself is consistent, but origin sequence 5 is missing before entry 5
        assertThat(report.ok()).isFalse();
        assertThat(report.entries()).isEqualTo(9);
        assertThat(report.firstBadSequence()).isEqualTo(5L);
        assertThat(report.problem()).startsWith("origin-gap").contains("enforcement-stream/0 sequence 5 missing")
                .contains("signed checkpoint");
    }

    @Test
    void shouldReportADuplicatedOriginEvent() throws SQLException {
        // Given entry 11 repeats origin sequence 7, correctly chained (as a faulty producer would cause)
        AuditEntry dup = TestEvents.entry(11, TestEvents.event(TestEvents.COMPONENT, 0, 7), 10)
                .chainedAfter(chain.get(9).entryHash());
        try (Connection svc = db.serviceConnection()) {
            EntryStore.insert(svc, List.of(dup));
        }

        // When
        VerifyReport report = AuditVerifier.verify(db.service());

        // Then
        assertThat(report.ok()).isFalse();
        assertThat(report.firstBadSequence()).isEqualTo(11L);
        assertThat(report.problem()).startsWith("origin-duplicate").contains("sequence 7");
    }

    @Test
    void shouldReportColumnsThatDisagreeWithThePayloadEvenWhenRehashed() throws SQLException {
        // Given the attacker changes session_id of entry 6 only in the column, and recomputes its hash and the rest
        asAttacker(c -> {
            List<AuditEntry> all = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT " + EntryStore.COLUMNS + " FROM audit_entries ORDER BY seq")) {
                while (rs.next()) {
                    all.add(EntryStore.read(rs));
                }
            }
            exec(c, "DELETE FROM audit_entries WHERE seq >= 6");
            byte[] prev = all.get(4).entryHash();
            List<AuditEntry> rewritten = new ArrayList<>();
            for (AuditEntry e : all.subList(5, all.size())) {
                AuditEntry changed = e.seq() != 6 ? e : new AuditEntry(e.seq(), e.recordedAtMs(), e.eventType(),
                        e.eventId(), e.originComponent(), e.originPartition(), e.originSequence(), e.occurredAtMs(),
                        e.directiveId(), "s-hidden", e.kafkaTopic(), e.kafkaPartition(), e.kafkaOffset(),
                        e.kafkaTimestampMs(), e.kafkaKey(), e.payloadFormat(), e.payload(), e.details(), null, null);
                AuditEntry r = changed.chainedAfter(prev);
                prev = r.entryHash();
                rewritten.add(r);
            }
            EntryStore.insert(c, rewritten);
        });

        // When
        VerifyReport report = AuditVerifier.verify(db.service());

        // Then
        assertThat(report.ok()).isFalse();
        assertThat(report.firstBadSequence()).isEqualTo(6L);
        assertThat(report.problem()).startsWith("payload-mismatch").contains("session_id");
    }

    private interface SqlWork {
        void run(Connection c) throws SQLException;
    }

    /** Runs {@code work} as the table owner with the append-only triggers disabled for the session. */
    private void asAttacker(SqlWork work) throws SQLException {
        try (Connection c = db.ownerConnection()) {
            c.setAutoCommit(false);
            exec(c, "SET session_replication_role = replica");
            work.run(c);
            c.commit();
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
