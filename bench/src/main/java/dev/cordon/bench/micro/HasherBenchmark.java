package dev.cordon.bench.micro;

import dev.cordon.audit.AuditEntry;
import dev.cordon.audit.EntryHasher;
import dev.cordon.audit.merkle.Rfc6962Hasher;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The audit trail's hashers: the entry chain hash ({@link EntryHasher#hash}: layout + SHA-256 over prev hash and
 * layout) and the RFC 6962 leaf / node hashes. Baseline: the JDK's SHA-256 over the same bytes (the entry's layout
 * and previous hash; 33 and 65 bytes for leaf and node).
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HasherBenchmark {
    private AuditEntry entry;
    private byte[] layoutAndPrev;
    private byte[] left;
    private byte[] right;
    private byte[] leaf33;
    private byte[] node65;
    private MessageDigest sha;

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        Random rnd = new Random(1);
        byte[] payload = new byte[250];
        rnd.nextBytes(payload);
        byte[] prev = new byte[32];
        rnd.nextBytes(prev);
        entry = new AuditEntry(123_456, 1_795_000_000_000L, "SESSION_REVOKED", "evt-123456", "enforcement-stream", 7, 98_765L,
                1_795_000_000_000L, "BIS-2026-AI-001", "s-123456", "audit-log", 0, 123_455, 1_795_000_000_000L,
                "s-123456".getBytes(StandardCharsets.UTF_8), "avro-binary", payload, "{\"attempt\":\"1\"}", prev, null);
        byte[] layout = EntryHasher.layout(entry);
        layoutAndPrev = new byte[32 + layout.length];
        System.arraycopy(prev, 0, layoutAndPrev, 0, 32);
        System.arraycopy(layout, 0, layoutAndPrev, 32, layout.length);
        left = new byte[32];
        right = new byte[32];
        rnd.nextBytes(left);
        rnd.nextBytes(right);
        leaf33 = new byte[33];
        node65 = new byte[65];
        sha = MessageDigest.getInstance("SHA-256");
    }

    @Benchmark
    public byte[] entryChainHash() {
        return EntryHasher.hash(entry);
    }

    @Benchmark
    public byte[] baselineSha256OfSameEntryBytes() {
        return sha.digest(layoutAndPrev);
    }

    @Benchmark
    public byte[] rfc6962LeafHash() {
        return Rfc6962Hasher.SHA256.hashLeaf(left);
    }

    @Benchmark
    public byte[] baselineSha256Of33Bytes() {
        return sha.digest(leaf33);
    }

    @Benchmark
    public byte[] rfc6962NodeHash() {
        return Rfc6962Hasher.SHA256.hashChildren(left, right);
    }

    @Benchmark
    public byte[] baselineSha256Of65Bytes() {
        return sha.digest(node65);
    }
}
