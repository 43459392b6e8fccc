package dev.cordon.audit.merkle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A signed note (c2sp.org/signed-note v1.0.0, "Format"): a text ending in a newline, a blank line, then one
 * or more signature lines. The text is separated from the signatures by the <em>last</em> empty line.
 * This type only parses and formats; {@link NoteSigner} signs and {@link NoteVerifier#open} verifies.
 *
 * @param text       the note text, ending in "\n", without the separating blank line
 * @param signatures at least one signature (in the order they appear)
 */
public record SignedNote(String text, List<NoteSignature> signatures) {

    /** Upper bound on signature lines accepted by {@link #parse} (the spec requires accepting at least 16). */
    public static final int MAX_SIGNATURES = 100;

    /** @throws IllegalArgumentException if the text or the signatures break the format */
    public SignedNote {
        checkText(text);
        signatures = List.copyOf(Objects.requireNonNull(signatures, "signatures"));
        if (signatures.isEmpty()) {
            throw new IllegalArgumentException("signatures: a signed note has at least one signature line");
        }
    }

    /** @return the whole note: text, blank line, one line per signature, each newline-terminated */
    public String format() {
        StringBuilder sb = new StringBuilder(text).append('\n');
        for (NoteSignature s : signatures) {
            sb.append(s.toLine()).append('\n');
        }
        return sb.toString();
    }

    /** @return a note with {@code more} signatures appended (e.g. a witness cosignature) */
    public SignedNote withSignatures(List<NoteSignature> more) {
        List<NoteSignature> all = new ArrayList<>(signatures);
        all.addAll(more);
        return new SignedNote(text, all);
    }

    /**
     * Parses a signed note.
     *
     * @param note the whole note
     * @return the text and the signature lines (unverified)
     * @throws IllegalArgumentException naming what is malformed
     */
    public static SignedNote parse(String note) {
        Objects.requireNonNull(note, "note");
        checkCharacters(note);
        if (!note.endsWith("\n")) {
            throw new IllegalArgumentException("note: must end with a newline");
        }
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            throw new IllegalArgumentException("note: no blank line separating the text from the signatures");
        }
        String text = note.substring(0, split + 1);
        String[] lines = note.substring(split + 2, note.length() - 1).split("\n", -1);
        if (lines.length > MAX_SIGNATURES) {
            throw new IllegalArgumentException("note: " + lines.length + " signature lines, at most "
                    + MAX_SIGNATURES + " accepted");
        }
        List<NoteSignature> sigs = new ArrayList<>(lines.length);
        for (String line : lines) {
            sigs.add(NoteSignature.parseLine(line));
        }
        return new SignedNote(text, sigs);
    }

    static void checkText(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty() || !text.endsWith("\n")) {
            throw new IllegalArgumentException("text: a note text is non-empty and ends with a newline");
        }
        checkCharacters(text);
    }

    private static void checkCharacters(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\n') {
                throw new IllegalArgumentException("note: control character U+" + String.format("%04X", (int) c)
                        + " at offset " + i + "; only newline is allowed (signed-note)");
            }
            if (Character.isSurrogate(c)) {
                boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1));
                if (!pair) {
                    throw new IllegalArgumentException("note: unpaired surrogate at offset " + i + " is not valid UTF-8");
                }
                i++;
            }
        }
    }
}
