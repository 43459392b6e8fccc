package dev.cordon.audit.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cordon.audit.merkle.Checkpoint;
import dev.cordon.audit.merkle.SignedNote;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The last checkpoint an auditor (or a witness) verified, kept on <em>their</em> side in a small JSON file:
 * {@code {"origin":…,"treeSize":…,"rootHash":base64,"note":"…signed note…","verifiedAtMs":…}}. Comparing the log
 * with it is what catches an operator who rewrites history and re-signs it (RFC 9162 §8.1.2 consistency).
 *
 * @param origin     the log origin
 * @param treeSize   size of the verified checkpoint
 * @param rootHash   its root, 32 bytes
 * @param note       the signed note as verified
 * @param verifiedAt when it was verified, epoch ms
 */
public record AuditorState(String origin, long treeSize, byte[] rootHash, String note, long verifiedAt) {

    /** @return the state saved in {@code file}, or {@code null} if the file does not exist */
    public static AuditorState load(Path file) {
        if (file == null || !Files.exists(file)) {
            return null;
        }
        try {
            JsonNode n = EntryJson.JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            String note = n.path("note").asText();
            Checkpoint cp = Checkpoint.parse(SignedNote.parse(note).text());
            return new AuditorState(cp.origin(), cp.size(), cp.rootHash(), note, n.path("verifiedAtMs").asLong());
        } catch (IOException e) {
            throw new UncheckedIOException("--state " + file + ": cannot read: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--state " + file + ": not a Cordon auditor state file: " + e.getMessage(), e);
        }
    }

    /** @return the state for a verified signed checkpoint note */
    public static AuditorState of(String note, long nowMs) {
        Checkpoint cp = Checkpoint.parse(SignedNote.parse(note).text());
        return new AuditorState(cp.origin(), cp.size(), cp.rootHash(), note, nowMs);
    }

    /** Writes the state atomically (temp file + rename). */
    public void save(Path file) {
        ObjectNode n = EntryJson.JSON.createObjectNode();
        n.put("origin", origin);
        n.put("treeSize", treeSize);
        n.put("rootHash", java.util.Base64.getEncoder().encodeToString(rootHash));
        n.put("note", note);
        n.put("verifiedAtMs", verifiedAt);
        try {
            Path abs = file.toAbsolutePath();
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
            Files.writeString(tmp, EntryJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n",
                    StandardCharsets.UTF_8);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write state " + file + ": " + e.getMessage(), e);
        }
    }
}
