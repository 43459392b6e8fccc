package dev.cordon.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.internal.Checkpointer;
import dev.cordon.audit.merkle.NoteVerifier;
import dev.cordon.audit.tools.DatabaseTrail;
import dev.cordon.audit.tools.LogVerifier;
import dev.cordon.audit.tools.LogVerifyReport;
import dev.cordon.audit.tools.Proofs;
import dev.cordon.audit.tools.Replay;
import dev.cordon.audit.tools.Why;
import dev.cordon.audit.tools.Witness;
import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.AuditEventType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The witness, replay and why on a real database. */
@Tag("integration")
class WitnessReplayWhyTest {
    private static final long T0 = 1_795_000_000_000L;
    private static TestDatabase pg;
    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() {
        pg = TestDatabase.start();
    }

    @AfterAll
    static void stopPostgres() {
        pg.close();
    }

    private static NoteVerifier logKey() {
        return NoteVerifier.fromVerifierKey(TrailFixture.KEY.verifierKey());
    }

    @Test
    void shouldCosignAppendOnlyGrowthAndLetVerifyRequireTheCosignature() throws SQLException {
        // Given a log of 20 entries and a witness
        TestDatabase.Db db = pg.newDatabase();
        TrailFixture.build(db, 2, 10);
        CheckpointKeys.WitnessKey w = CheckpointKeys.generateWitnessKey(dir.resolve("w1.key"), "witness.test/w1");
        Path state = dir.resolve("w1.state");

        // When it cosigns, the log grows by 10, and it cosigns again
        Witness.Outcome first = Witness.run(db.service(), logKey(), w, state, 1_800_000_000L);
        TrailFixture.build(db, 1, 10);
        Witness.Outcome second = Witness.run(db.service(), logKey(), w, state, 1_800_000_060L);
        Witness.Outcome third = Witness.run(db.service(), logKey(), w, state, 1_800_000_120L);

        // Then
        assertThat(first.cosigned()).isTrue();
        assertThat(first.treeSize()).isEqualTo(20);
        assertThat(second.cosigned()).isTrue();
        assertThat(second.treeSize()).isEqualTo(30);
        assertThat(second.message()).contains("consistent with size 20");
        assertThat(third.cosigned()).isFalse();
        assertThat(NoteVerifier.open(second.cosignedNote(), List.of(
                NoteVerifier.fromVerifierKey(w.cosignatureVerifierKey()))).verified()).hasSize(1);
        LogVerifyReport ok;
        LogVerifyReport tooFew;
        try (DatabaseTrail src = DatabaseTrail.open(db.service())) {
            ok = LogVerifier.verify(src, LogVerifier.Options.trusting(List.of(TrailFixture.KEY.verifierKey()))
                    .withWitnesses(1, List.of(w.cosignatureVerifierKey())));
        }
        try (DatabaseTrail src = DatabaseTrail.open(db.service())) {
            tooFew = LogVerifier.verify(src, LogVerifier.Options.trusting(List.of(TrailFixture.KEY.verifierKey()))
                    .withWitnesses(2, List.of(w.cosignatureVerifierKey())));
        }
        assertThat(ok.ok()).as(ok.problem()).isTrue();
        assertThat(ok.witnessedSize()).isEqualTo(30);
        assertThat(tooFew.ok()).isFalse();
        assertThat(tooFew.kind()).isEqualTo("witnesses");
    }

    @Test
    void shouldRefuseLoudlyARewrittenLog() throws SQLException {
        // Given the witness cosigned size 30, then the operator rewrites entry 12 and re-signs, and appends more
        TestDatabase.Db db = pg.newDatabase();
        TrailFixture.build(db, 3, 10);
        CheckpointKeys.WitnessKey w = CheckpointKeys.generateWitnessKey(dir.resolve("w.key"), "witness.test/w2");
        Path state = dir.resolve("w.state");
        assertThat(Witness.run(db.service(), logKey(), w, state, 1_800_000_000L).cosigned()).isTrue();
        TrailFixture.rewriteAndResign(db, 12);
        TrailFixture.build(db, 1, 10);

        // When / Then
        assertThatThrownBy(() -> Witness.run(db.service(), logKey(), w, state, 1_800_000_060L))
                .isInstanceOf(Witness.RefusedException.class)
                .hasMessageStartingWith("REFUSED")
                .hasMessageContaining("size 30");
    }

    private static AuditEvent ev(AuditEventType type, String component, int partition, long seq, long at, String directive,
                                 Integer rev, String session, String command, Map<String, String> details) {
        return AuditEvent.newBuilder().setEventId(component + "/" + partition + "/" + seq).setType(type)
                .setComponent(component).setSourcePartition(partition).setSequence(seq)
                .setOccurredAt(Instant.ofEpochMilli(at)).setDirectiveId(directive).setDirectiveRevision(rev)
                .setSessionId(session).setCommandId(command).setDetails(details).build();
    }

    /** The story: s-1 active at T0+1s; directive D r1 accepted at T0+2s; s-1 revoked at T0+3s; s-2 denied at T0+4s. */
    private static List<AuditEvent> story() {
        Map<String, String> accepted = Map.of("revision", "1", "action", "RESTRICT", "mode", "ENFORCE",
                "enforcement", "REVOKE_AND_DENY", "issuer", "us-bis", "legalBasis", "15 CFR 744.23",
                "effectiveFrom", Instant.ofEpochMilli(T0 + 2_000).toString(), "principal", "alice", "changeId", "c-1");
        String es = "enforcement-stream";
        return List.of(
                ev(AuditEventType.SESSION_STARTED, es, 0, 1, T0 + 1_000, null, null, "s-1", null,
                        Map.of("resource", "fable-5")),
                ev(AuditEventType.SESSION_STARTED, es, 0, 2, T0 + 1_500, null, null, "s-3", null,
                        Map.of("resource", "other")),
                ev(AuditEventType.DIRECTIVE_ACCEPTED, "directive-ingest", -1, 1, T0 + 2_000, "D", 1, null, null, accepted),
                ev(AuditEventType.SESSION_REVOKED, es, 0, 3, T0 + 3_000, "D", 1, "s-1", "cmd-1",
                        Map.of("kind", "REVOKE", "attempt", "1", "matched", "nationality NOT_IN [US]",
                                "legalBasis", "15 CFR 744.23")),
                ev(AuditEventType.SESSION_DENIED, es, 0, 4, T0 + 4_000, "D", 1, "s-2", "cmd-2",
                        Map.of("kind", "DENY", "attempt", "1", "matched", "nationality NOT_IN [US]")));
    }

    @Test
    void shouldReplayWhatWasInForceAndWhichSessionsWereActiveCutOrDenied() throws SQLException {
        // Given
        TestDatabase.Db db = pg.newDatabase();
        List<AuditEvent> story = story();
        TrailFixture.build(db, 1, story.size(), i -> story.get(i - 1));

        // When
        Replay.Result before;
        Replay.Result after;
        try (DatabaseTrail src = DatabaseTrail.open(db.service())) {
            before = Replay.asOf(src.entries(), Instant.ofEpochMilli(T0 + 1_999));
        }
        try (DatabaseTrail src = DatabaseTrail.open(db.service())) {
            after = Replay.asOf(src.entries(), Instant.ofEpochMilli(T0 + 5_000));
        }

        // Then
        assertThat(before.directives()).isEmpty();
        assertThat(before.withStatus("ACTIVE")).extracting(Replay.SessionAt::sessionId).containsExactly("s-1", "s-3");
        assertThat(after.directives()).singleElement().satisfies(d -> {
            assertThat(d.directiveId()).isEqualTo("D");
            assertThat(d.revision()).isEqualTo(1);
            assertThat(d.inForce()).isTrue();
        });
        assertThat(after.withStatus("ACTIVE")).extracting(Replay.SessionAt::sessionId).containsExactly("s-3");
        assertThat(after.withStatus("CUT")).extracting(Replay.SessionAt::sessionId).containsExactly("s-1");
        assertThat(after.withStatus("DENIED")).extracting(Replay.SessionAt::sessionId).containsExactly("s-2");
        assertThat(Replay.toJson(after).path("sessions").path("cut").get(0).path("cutBy").asText()).isEqualTo("D#1");
        assertThat(Replay.toTable(after)).contains("1 active, 1 cut, 1 denied");
    }

    @Test
    void shouldExplainACutWithTheDirectiveRevisionMatchedGroupAndVerifiableProofs() throws SQLException {
        // Given
        TestDatabase.Db db = pg.newDatabase();
        List<AuditEvent> story = story();
        TrailFixture.build(db, 1, story.size(), i -> story.get(i - 1));

        // When
        ObjectNode why;
        try (DatabaseTrail src = DatabaseTrail.open(db.service())) {
            why = Why.explain(src, "s-1");
        }

        // Then
        assertThat(why.path("status").asText()).isEqualTo("CUT");
        JsonNode cmd = why.path("commands").get(0);
        assertThat(cmd.path("directiveId").asText()).isEqualTo("D");
        assertThat(cmd.path("matched").asText()).isEqualTo("nationality NOT_IN [US]");
        assertThat(why.path("directiveRevisions").get(0).path("issuer").asText()).isEqualTo("us-bis");
        assertThat(why.path("entries")).hasSize(3); // started, accepted, revoked
        for (JsonNode proof : why.path("entries")) {
            assertThat(Proofs.verify(proof.toString(), null, List.of(TrailFixture.KEY.verifierKey())).ok()).isTrue();
        }
    }

    @Test
    void shouldSignACheckpointRightAfterADirectiveChangeAndPeriodicallyOtherwise() throws SQLException {
        // Given a checkpointer with a 60 s interval
        TestDatabase.Db db = pg.newDatabase();
        Checkpointer cp = new Checkpointer(TrailFixture.ORIGIN, TrailFixture.KEY.signer(), TrailFixture.KEY.verifierKey(),
                60_000);
        try (Connection c = db.serviceConnection()) {
            c.setAutoCommit(false);
            var tree = dev.cordon.audit.merkle.CompactRange.empty();
            tree.append(new byte[32]);
            // When / Then: first ever -> FIRST; same size -> none; grew without directive within 60 s -> none
            assertThat(cp.maybeSign(c, tree, false, T0).reason()).isEqualTo("FIRST");
            assertThat(cp.maybeSign(c, tree, true, T0 + 1)).isNull();
            tree.append(new byte[32]);
            assertThat(cp.maybeSign(c, tree, false, T0 + 59_999)).isNull();
            assertThat(cp.maybeSign(c, tree, true, T0 + 59_999).reason()).isEqualTo("DIRECTIVE");
            tree.append(new byte[32]);
            assertThat(cp.maybeSign(c, tree, false, T0 + 59_999 + 59_999)).isNull();
            assertThat(cp.maybeSign(c, tree, false, T0 + 59_999 + 60_000).reason()).isEqualTo("PERIODIC");
            // a new key -> ROTATION even without growth; old checkpoints keep naming the old key
            var other = CheckpointKeys.generate(TrailFixture.ORIGIN, dev.cordon.audit.merkle.NoteKeys.TYPE_ED25519);
            Checkpointer rotated = new Checkpointer(TrailFixture.ORIGIN, other.signer(), other.verifierKey(), 60_000);
            assertThat(rotated.maybeSign(c, tree, false, T0 + 120_001).reason()).isEqualTo("ROTATION");
            c.rollback();
        }
    }

    @Test
    void shouldSignAShutdownCheckpointOnlyWhenEntriesFollowTheLastOne() throws SQLException {
        // Given a log whose last checkpoint covers 1 entry
        TestDatabase.Db db = pg.newDatabase();
        Checkpointer cp = new Checkpointer(TrailFixture.ORIGIN, TrailFixture.KEY.signer(), TrailFixture.KEY.verifierKey(),
                60_000);
        try (Connection c = db.serviceConnection()) {
            c.setAutoCommit(false);
            var tree = dev.cordon.audit.merkle.CompactRange.empty();
            tree.append(new byte[32]);
            assertThat(cp.maybeSign(c, tree, false, T0).reason()).isEqualTo("FIRST");
            // When / Then: nothing new -> none; one more entry within the interval -> SHUTDOWN at once
            assertThat(cp.signOnShutdown(c, tree, T0 + 1)).isNull();
            tree.append(new byte[32]);
            assertThat(cp.maybeSign(c, tree, false, T0 + 2)).isNull();
            var shutdown = cp.signOnShutdown(c, tree, T0 + 2);
            assertThat(shutdown.reason()).isEqualTo("SHUTDOWN");
            assertThat(shutdown.treeSize()).isEqualTo(2);
            c.rollback();
        }
    }
}
