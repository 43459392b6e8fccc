package dev.cordon.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EntryHasherTest {

    private static AuditEntry sample(byte[] prev) {
        return new AuditEntry(7, 1_795_000_000_123L, "SESSION_REVOKED", "enforcement-stream/3/42",
                "enforcement-stream", 3, 42L, 1_795_000_000_100L, "BIS-2026-AI-001", "s-1",
                "audit-log", 0, 99L, 1_795_000_000_110L, "s-1".getBytes(StandardCharsets.UTF_8),
                "avro:0011223344556677", new byte[] {1, 2, 3}, null, prev, null);
    }

    @Test
    void shouldMatchAnAuditorsIndependentImplementationOfTheDocumentedLayout() throws Exception {
        // Given an entry and the layout as written in the EntryHasher Javadoc, re-implemented with DataOutputStream
        AuditEntry e = sample(EntryHasher.genesis());
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.write(new byte[32]);
        str(out, "cordon-audit-entry/v1");
        out.writeLong(7);
        out.writeLong(1_795_000_000_123L);
        str(out, "SESSION_REVOKED");
        out.write(1); str(out, "enforcement-stream/3/42");
        out.write(1); str(out, "enforcement-stream");
        out.write(1); out.writeInt(3);
        out.write(1); out.writeLong(42);
        out.write(1); out.writeLong(1_795_000_000_100L);
        out.write(1); str(out, "BIS-2026-AI-001");
        out.write(1); str(out, "s-1");
        str(out, "audit-log");
        out.writeInt(0);
        out.writeLong(99);
        out.writeLong(1_795_000_000_110L);
        out.write(1); bytes(out, "s-1".getBytes(StandardCharsets.UTF_8));
        str(out, "avro:0011223344556677");
        bytes(out, new byte[] {1, 2, 3});
        out.write(0); // details absent
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(buf.toByteArray());

        // When
        byte[] actual = EntryHasher.hash(e);

        // Then
        assertThat(HexFormat.of().formatHex(actual)).isEqualTo(HexFormat.of().formatHex(expected));
    }

    @Test
    void shouldKeepTheGoldenVectorOfLayoutV1() {
        // Given / When: a change of this value means every stored chain stops verifying
        String hex = EntryHasher.hex(EntryHasher.hash(sample(EntryHasher.genesis())));

        // Then
        assertThat(hex).isEqualTo(GOLDEN_V1);
    }

    @Test
    void shouldDistinguishAbsentFromEmptyOptionalFields() {
        // Given two entries differing only in details: absent vs empty string
        AuditEntry absent = sample(EntryHasher.genesis());
        AuditEntry empty = new AuditEntry(absent.seq(), absent.recordedAtMs(), absent.eventType(), absent.eventId(),
                absent.originComponent(), absent.originPartition(), absent.originSequence(), absent.occurredAtMs(),
                absent.directiveId(), absent.sessionId(), absent.kafkaTopic(), absent.kafkaPartition(),
                absent.kafkaOffset(), absent.kafkaTimestampMs(), absent.kafkaKey(), absent.payloadFormat(),
                absent.payload(), "", absent.prevHash(), null);

        // Then
        assertThat(EntryHasher.hash(empty)).isNotEqualTo(EntryHasher.hash(absent));
    }

    @Test
    void shouldRefuseAPrevHashThatIsNot32Bytes() {
        assertThatThrownBy(() -> EntryHasher.hash(sample(new byte[31])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prevHash must be 32 bytes");
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static final String GOLDEN_V1 = "360583616a38f08fa12fc6cefef10008c9279d637887640ea2093c89b6c5f25a";
}
