package dev.cordon.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.internal.TreeStore;
import dev.cordon.audit.merkle.Checkpoint;
import dev.cordon.audit.merkle.CompactRange;
import dev.cordon.audit.merkle.NoteKeys;
import dev.cordon.audit.tools.Bundle;
import dev.cordon.audit.tools.EntryJson;
import dev.cordon.audit.tools.LogVerifier;
import dev.cordon.audit.tools.LogVerifyReport;
import dev.cordon.audit.tools.TrailSource;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Verify throughput on N entries (default 1,000,000) — a runner, not a unit test:
 * <pre>
 * ./mvnw -q -B -o -f audit-sink/pom.xml test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=/tmp/audit-cp.txt -Dmdep.includeScope=test
 * cd audit-sink &amp;&amp; java -cp target/test-classes:target/classes:$(cat /tmp/audit-cp.txt) dev.cordon.audit.VerifyBenchmark 1000000
 * </pre>
 * Generates a chained trail of realistic entries (~250-byte Avro payloads) with a signed checkpoint every 10,000
 * entries as an export bundle, then measures {@link LogVerifier} over it twice: JSON parsing, hash chain, per-entry
 * re-hash, payload decode, origin tracking, RFC 6962 tree, checkpoint signatures.
 */
public final class VerifyBenchmark {
    private VerifyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        var key = CheckpointKeys.generate("cordon.bench/audit", NoteKeys.TYPE_ED25519);
        Path file = Files.createTempFile("cordon-bench", ".jsonl");
        Path entriesFile = Files.createTempFile("cordon-bench-entries", ".jsonl");
        try {
            // Generate: entries to a side file while building the tree; checkpoints first in the bundle.
            long t0 = System.nanoTime();
            ObjectMapper json = new ObjectMapper();
            List<SignedCheckpoint> cps = new ArrayList<>();
            CompactRange tree = CompactRange.empty();
            byte[] prev = EntryHasher.genesis();
            try (BufferedWriter w = Files.newBufferedWriter(entriesFile, StandardCharsets.UTF_8)) {
                for (int i = 1; i <= n; i++) {
                    AuditEntry e = TestEvents.entry(i, TestEvents.event(TestEvents.COMPONENT, 0, i), i - 1).chainedAfter(prev);
                    prev = e.entryHash();
                    tree.append(TreeLeaf.leafHashOf(e.entryHash()));
                    if (i % 10_000 == 0 || i == n) {
                        String note = key.signer().signCheckpoint(Checkpoint.of("cordon.bench/audit", i, tree.root())).format();
                        cps.add(new SignedCheckpoint(cps.size() + 1, i, tree.root(), "cordon.bench/audit", 0, 0, "PERIODIC", note));
                    }
                    ObjectNode o = json.createObjectNode().put("kind", "entry");
                    o.setAll(EntryJson.toJson(e, false));
                    w.write(json.writeValueAsString(o));
                    w.write('\n');
                }
            }
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                ObjectNode h = json.createObjectNode();
                h.put("kind", Bundle.KIND).put("version", 1).put("startSize", 0).put("endSize", n)
                        .put("startEntryHash", HexFormat.of().formatHex(EntryHasher.genesis()));
                h.putArray("startCompactRange");
                h.putArray("verifierKeys").add(key.verifierKey());
                w.write(json.writeValueAsString(h) + "\n");
                for (SignedCheckpoint cp : cps) {
                    w.write(json.writeValueAsString(json.createObjectNode().put("kind", "checkpoint")
                            .put("number", cp.number()).put("treeSize", cp.treeSize()).put("note", cp.note())) + "\n");
                }
            }
            try (var out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
                Files.copy(entriesFile, out);
            }
            System.out.printf("generated %,d entries, %d checkpoints (%,d MB bundle) in %.1f s%n", n, cps.size(),
                    Files.size(file) >> 20, (System.nanoTime() - t0) / 1e9);

            LogVerifier.Options opts = LogVerifier.Options.trusting(List.of(key.verifierKey()));
            for (int run = 1; run <= 2; run++) {
                long t2 = System.nanoTime();
                LogVerifyReport b;
                try (TrailSource src = Bundle.open(file)) {
                    b = LogVerifier.verify(src, opts);
                }
                double s2 = (System.nanoTime() - t2) / 1e9;
                System.out.printf("run %d: bundle verify ok=%s, %,d entries, %d checkpoint signatures in %.2f s = %,.0f entries/s%n",
                        run, b.ok(), b.entries(), b.checkpointsVerified(), s2, b.entries() / s2);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(entriesFile);
        }
    }

    private record InMemory(List<AuditEntry> list, List<SignedCheckpoint> cps, String key) implements TrailSource {
        public String description() { return "memory"; }
        public long startSize() { return 0; }
        public CompactRange startRange() { return CompactRange.empty(); }
        public byte[] startEntryHash() { return EntryHasher.genesis(); }
        public List<SignedCheckpoint> checkpoints() { return cps; }
        public List<TreeStore.CosignatureRow> cosignatures() { return List.of(); }
        public List<String> verifierKeys() { return List.of(key); }
        public Map<Long, byte[]> storedTreeRoots() { return Map.of(); }
        public dev.cordon.audit.merkle.NodeStore nodes() { return null; }
        public Iterator<AuditEntry> entries() { return list.iterator(); }
        public void close() { }
    }
}
