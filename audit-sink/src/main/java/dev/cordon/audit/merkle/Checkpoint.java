package dev.cordon.audit.merkle;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A log checkpoint: the note text of c2sp.org/tlog-checkpoint (v1.0.0, "Note text") —
 * <pre>
 * &lt;origin&gt;\n
 * &lt;tree size, ASCII decimal, no leading zeroes&gt;\n
 * &lt;base64 RFC 6962 root hash&gt;\n
 * [&lt;extension line&gt;\n]...
 * </pre>
 * Sign it with {@link NoteSigner} (a {@link SignedNote} whose text is {@link #toText()}); witnesses cosign
 * it with {@link Cosignature}. Same shape as transparency-dev/formats {@code log.Checkpoint}.
 *
 * @param origin         the log identity, non-empty, no newline (SHOULD be a schema-less URL without spaces or '+')
 * @param size           number of leaves, {@code >= 0}
 * @param rootHash       RFC 6962 root hash of the first {@code size} leaves, 32 bytes (copied)
 * @param extensionLines optional extra lines, each non-empty without newline (NOT RECOMMENDED by the spec)
 */
public record Checkpoint(String origin, long size, byte[] rootHash, List<String> extensionLines) {

    /** @throws IllegalArgumentException naming the field that breaks the spec */
    public Checkpoint {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(rootHash, "rootHash");
        Objects.requireNonNull(extensionLines, "extensionLines");
        if (origin.isEmpty() || origin.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("origin: must be non-empty and one line (tlog-checkpoint), got \""
                    + origin + "\"");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size: " + size + " must be >= 0");
        }
        if (rootHash.length != Rfc6962Hasher.SHA256.size()) {
            throw new IllegalArgumentException("rootHash: " + rootHash.length + " bytes, must be 32 (SHA-256)");
        }
        for (int i = 0; i < extensionLines.size(); i++) {
            String line = Objects.requireNonNull(extensionLines.get(i), "extensionLines[" + i + "]");
            if (line.isEmpty() || line.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("extensionLines[" + i + "]: must be non-empty and one line");
            }
        }
        rootHash = rootHash.clone();
        extensionLines = List.copyOf(extensionLines);
    }

    /** A checkpoint without extension lines. */
    public static Checkpoint of(String origin, long size, byte[] rootHash) {
        return new Checkpoint(origin, size, rootHash, List.of());
    }

    /** @return a copy of the root hash */
    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    /** @return the note text, every line newline-terminated (the exact bytes that are signed, as UTF-8) */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(origin).append('\n').append(size).append('\n')
                .append(Base64.getEncoder().encodeToString(rootHash)).append('\n');
        for (String line : extensionLines) {
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    /** @return {@link #toText()} as UTF-8 bytes */
    public byte[] toBytes() {
        return toText().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses checkpoint note text (the text of a {@link SignedNote}, without signatures). Strict: the size
     * must be canonical decimal, the root canonical standard base64 of 32 bytes, and the text must end in a
     * newline with no empty lines.
     *
     * @param text the note text
     * @return the checkpoint
     * @throws IllegalArgumentException naming the line that is malformed
     */
    public static Checkpoint parse(String text) {
        Objects.requireNonNull(text, "text");
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("checkpoint: text must end with a newline");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 3) {
            throw new IllegalArgumentException("checkpoint: needs at least 3 lines (origin, size, root hash), got "
                    + lines.length);
        }
        String sizeLine = lines[1];
        if (!sizeLine.matches("0|[1-9][0-9]{0,18}")) {
            throw new IllegalArgumentException("checkpoint line 2 (size): \"" + sizeLine
                    + "\" is not a decimal without leading zeroes");
        }
        long size;
        try {
            size = Long.parseLong(sizeLine);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint line 2 (size): \"" + sizeLine + "\" exceeds 2^63-1", e);
        }
        byte[] root;
        try {
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("checkpoint line 3 (root hash): not standard base64: " + e.getMessage(), e);
        }
        if (!Base64.getEncoder().encodeToString(root).equals(lines[2])) {
            throw new IllegalArgumentException("checkpoint line 3 (root hash): not canonical base64");
        }
        try {
            return new Checkpoint(lines[0], size, root, List.of(Arrays.copyOfRange(lines, 3, lines.length)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("checkpoint: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Checkpoint other && origin.equals(other.origin) && size == other.size
                && Arrays.equals(rootHash, other.rootHash) && extensionLines.equals(other.extensionLines);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin, size, Arrays.hashCode(rootHash), extensionLines);
    }

    @Override
    public String toString() {
        return "Checkpoint[origin=" + origin + ", size=" + size + ", rootHash="
                + HexFormat.of().formatHex(rootHash) + ", extensionLines=" + extensionLines + "]";
    }
}
