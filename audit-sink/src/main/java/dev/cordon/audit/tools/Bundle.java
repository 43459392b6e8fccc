package dev.cordon.audit.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.AuditEntry;
import dev.cordon.audit.SignedCheckpoint;
import dev.cordon.audit.internal.CanonicalAvro;
import dev.cordon.audit.internal.TreeStore;
import dev.cordon.audit.merkle.CompactRange;
import dev.cordon.audit.merkle.NodeStore;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The export bundle: a self-contained JSON Lines file an auditor verifies with no database
 * ({@code cordon audit export}, {@code cordon audit verify --bundle}). Lines, in this order:
 * <ol>
 *   <li>{@code {"kind":"cordon-audit-bundle","version":1,"exportedAtMs":…,"startSize":m,"endSize":n,
 *       "startEntryHash":hex,"startCompactRange":[base64…],"verifierKeys":[…],"payloadSchemas":{format:schema}}} —
 *       {@code startSize} entries precede the bundle; the compact range and entry hash at that point are
 *       authenticated by the first checkpoint the recomputed tree reaches;</li>
 *   <li>{@code {"kind":"checkpoint","number":…,"treeSize":…,"reason":…,"signedAtMs":…,"note":"…signed note…"}}
 *       for every checkpoint with {@code startSize <= treeSize <= endSize};</li>
 *   <li>{@code {"kind":"cosignature",…}} for witness cosignatures of those checkpoints;</li>
 *   <li>{@code {"kind":"entry",…}} per entry ({@link EntryJson}), seq {@code startSize+1 … endSize}.</li>
 * </ol>
 * Export range: entries whose {@code recorded_at_ms} (sink time) lies in {@code [from, to]}, extended to the next
 * checkpoint so that every exported entry is covered by a signature (when one exists yet).
 */
public final class Bundle {
    /** Value of the header's {@code kind}. */
    public static final String KIND = "cordon-audit-bundle";

    private Bundle() {
    }

    /** What {@link #export} wrote. */
    public record ExportResult(Path file, long firstSeq, long lastSeq, int checkpoints) {
    }

    /**
     * Exports entries recorded in {@code [fromMs, toMs]} with their checkpoints and keys.
     *
     * @throws IllegalArgumentException when no entry was recorded in the range
     */
    public static ExportResult export(DatabaseTrail db, long fromMs, long toMs, Path file) {
        return export(db, fromMs, toMs, file, n -> { });
    }

    /**
     * As {@link #export(DatabaseTrail, long, long, Path)}, reporting the number of entries written so far.
     *
     * @param progress called after each entry with the count written (cheap; callers throttle their output)
     */
    public static ExportResult export(DatabaseTrail db, long fromMs, long toMs, Path file, java.util.function.LongConsumer progress) {
        long[] range = db.seqRange(fromMs, toMs);
        if (range == null) {
            throw new IllegalArgumentException("--from/--to: no entry was recorded between " + java.time.Instant.ofEpochMilli(fromMs)
                    + " and " + java.time.Instant.ofEpochMilli(toMs));
        }
        long first = range[0];
        long last = range[1];
        for (SignedCheckpoint cp : db.checkpoints()) {
            if (cp.treeSize() >= last) {
                last = Math.max(last, cp.treeSize());
                break;
            }
        }
        long lastSeq = Math.min(last, db.lastSeq());
        long startSize = first - 1;
        CompactRange start = db.compactRangeAt(startSize);
        byte[] startHash = db.entryHash(startSize);
        int cps = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            ObjectNode h = EntryJson.JSON.createObjectNode();
            h.put("kind", KIND);
            h.put("version", 1);
            h.put("exportedAtMs", System.currentTimeMillis());
            h.put("startSize", startSize);
            h.put("endSize", lastSeq);
            h.put("startEntryHash", HexFormat.of().formatHex(startHash));
            ArrayNode cr = h.putArray("startCompactRange");
            start.hashes().forEach(x -> cr.add(Base64.getEncoder().encodeToString(x)));
            ArrayNode keys = h.putArray("verifierKeys");
            db.verifierKeys().forEach(keys::add);
            ObjectNode schemas = h.putObject("payloadSchemas");
            db.payloadSchemas().forEach(schemas::put);
            schemas.put(CanonicalAvro.PAYLOAD_FORMAT, CanonicalAvro.SCHEMA_JSON);
            line(w, h);
            for (SignedCheckpoint cp : db.checkpoints()) {
                if (cp.treeSize() >= startSize && cp.treeSize() <= lastSeq) {
                    ObjectNode n = EntryJson.JSON.createObjectNode();
                    n.put("kind", "checkpoint");
                    n.put("number", cp.number());
                    n.put("treeSize", cp.treeSize());
                    n.put("reason", cp.reason());
                    n.put("signedAtMs", cp.signedAtMs());
                    n.put("note", cp.note());
                    line(w, n);
                    cps++;
                }
            }
            for (TreeStore.CosignatureRow r : db.cosignatures()) {
                if (r.treeSize() >= startSize && r.treeSize() <= lastSeq) {
                    ObjectNode n = EntryJson.JSON.createObjectNode();
                    n.put("kind", "cosignature");
                    n.put("treeSize", r.treeSize());
                    n.put("rootHash", Base64.getEncoder().encodeToString(r.rootHash()));
                    n.put("witnessName", r.witnessName());
                    n.put("keyId", r.keyId());
                    n.put("cosignedAtS", r.cosignedAtS());
                    n.put("signatureLine", r.signatureLine());
                    line(w, n);
                }
            }
            Iterator<AuditEntry> it = db.entries(first, lastSeq);
            long written = 0;
            while (it.hasNext()) {
                ObjectNode n = EntryJson.JSON.createObjectNode();
                n.put("kind", "entry");
                n.setAll(EntryJson.toJson(it.next(), true));
                line(w, n);
                progress.accept(++written);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return new ExportResult(file, first, lastSeq, cps);
    }

    private static void line(BufferedWriter w, JsonNode n) throws IOException {
        w.write(EntryJson.JSON.writeValueAsString(n));
        w.write('\n');
    }

    /**
     * Opens a bundle for verification: reads the header, checkpoints and cosignatures; entries are streamed.
     *
     * @throws IllegalArgumentException naming the line that is malformed
     */
    public static TrailSource open(Path file) {
        try {
            BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
            String first = r.readLine();
            JsonNode h = first == null ? null : EntryJson.JSON.readTree(first);
            if (h == null || !KIND.equals(h.path("kind").asText())) {
                r.close();
                throw new IllegalArgumentException(file + ": line 1 is not a " + KIND + " header");
            }
            List<SignedCheckpoint> cps = new ArrayList<>();
            List<TreeStore.CosignatureRow> cos = new ArrayList<>();
            String pending = null;
            long lineNo = 1;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lineNo++;
                JsonNode n = EntryJson.JSON.readTree(line);
                String kind = n.path("kind").asText();
                if (kind.equals("checkpoint")) {
                    String note = n.path("note").asText();
                    SignedCheckpoint parsed = fromNote(n.path("number").asLong(), n.path("reason").asText(),
                            n.path("signedAtMs").asLong(), note);
                    cps.add(parsed);
                } else if (kind.equals("cosignature")) {
                    cos.add(new TreeStore.CosignatureRow(n.path("treeSize").asLong(),
                            Base64.getDecoder().decode(n.path("rootHash").asText()), n.path("witnessName").asText(),
                            n.path("keyId").asLong(), n.path("cosignedAtS").asLong(), n.path("signatureLine").asText()));
                } else if (kind.equals("entry")) {
                    pending = line;
                    break;
                } else {
                    r.close();
                    throw new IllegalArgumentException(file + ": line " + lineNo + ": unknown kind '" + kind + "'");
                }
            }
            h.path("payloadSchemas").fields().forEachRemaining(f -> {
                try {
                    CanonicalAvro.registerSchema(f.getKey(), f.getValue().asText());
                } catch (IllegalArgumentException e) {
                    org.slf4j.LoggerFactory.getLogger(Bundle.class).warn("{}: header payloadSchemas: {}", file,
                            e.getMessage());
                }
            });
            List<byte[]> range = new ArrayList<>();
            h.path("startCompactRange").forEach(x -> range.add(Base64.getDecoder().decode(x.asText())));
            List<String> keys = new ArrayList<>();
            h.path("verifierKeys").forEach(x -> keys.add(x.asText()));
            return new BundleTrail(file, r, pending, h.path("endSize").asLong(-1), h.path("startSize").asLong(),
                    CompactRange.of(h.path("startSize").asLong(), range),
                    HexFormat.of().parseHex(h.path("startEntryHash").asText()), cps, cos, keys);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundle " + file + ": " + e.getMessage(), e);
        }
    }

    /** A checkpoint row rebuilt from its note (size, root, key from the note itself). */
    static SignedCheckpoint fromNote(long number, String reason, long signedAtMs, String note) {
        var sn = dev.cordon.audit.merkle.SignedNote.parse(note);
        var cp = dev.cordon.audit.merkle.Checkpoint.parse(sn.text());
        var sig = sn.signatures().get(0);
        return new SignedCheckpoint(number, cp.size(), cp.rootHash(), sig.keyName(), Integer.toUnsignedLong(sig.keyId()),
                signedAtMs, reason, note);
    }

    private static final class BundleTrail implements TrailSource {
        private final Path file;
        private final long endSize;
        private final BufferedReader reader;
        private final String firstEntry;
        private final long startSize;
        private final CompactRange startRange;
        private final byte[] startHash;
        private final List<SignedCheckpoint> checkpoints;
        private final List<TreeStore.CosignatureRow> cosignatures;
        private final List<String> keys;

        BundleTrail(Path file, BufferedReader reader, String firstEntry, long endSize, long startSize,
                    CompactRange startRange,
                    byte[] startHash, List<SignedCheckpoint> checkpoints, List<TreeStore.CosignatureRow> cosignatures,
                    List<String> keys) {
            this.file = file;
            this.endSize = endSize;
            this.reader = reader;
            this.firstEntry = firstEntry;
            this.startSize = startSize;
            this.startRange = startRange;
            this.startHash = startHash;
            this.checkpoints = checkpoints;
            this.cosignatures = cosignatures;
            this.keys = keys;
        }

        @Override
        public String description() {
            return "bundle " + file;
        }

        @Override
        public long startSize() {
            return startSize;
        }

        @Override
        public CompactRange startRange() {
            return CompactRange.of(startRange.size(), startRange.hashes());
        }

        @Override
        public byte[] startEntryHash() {
            return startHash.clone();
        }

        @Override
        public List<SignedCheckpoint> checkpoints() {
            return checkpoints;
        }

        @Override
        public List<TreeStore.CosignatureRow> cosignatures() {
            return cosignatures;
        }

        @Override
        public List<String> verifierKeys() {
            return keys;
        }

        @Override
        public Map<Long, byte[]> storedTreeRoots() {
            return Map.of();
        }

        @Override
        public long expectedEntries() {
            return endSize < 0 ? -1 : endSize - startSize;
        }

        @Override
        public boolean isLiveLog() {
            return false;
        }

        @Override
        public NodeStore nodes() {
            return null;
        }

        @Override
        public Iterator<AuditEntry> entries() {
            return new Iterator<>() {
                private String next = firstEntry;

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public AuditEntry next() {
                    if (next == null) {
                        throw new NoSuchElementException();
                    }
                    try {
                        AuditEntry e = EntryJson.fromJson(EntryJson.JSON.readTree(next));
                        String line = reader.readLine();
                        while (line != null && line.isBlank()) {
                            line = reader.readLine();
                        }
                        next = line;
                        return e;
                    } catch (IOException ex) {
                        throw new UncheckedIOException("cannot read bundle " + file + ": " + ex.getMessage(), ex);
                    }
                }
            };
        }

        @Override
        public void close() {
            try {
                reader.close();
            } catch (IOException e) {
                // read-only
            }
        }
    }
}
