package dev.cordon.audit.merkle;

import java.util.List;

/**
 * The result of {@link NoteVerifier#open}: the note text, now trusted, and which signatures verified.
 *
 * @param text     the note text (e.g. parse it with {@link Checkpoint#parse})
 * @param verified signatures from known keys that verified (at least one)
 * @param unknown  signatures from keys the caller does not know, ignored as the spec requires
 */
public record VerifiedNote(String text, List<NoteSignature> verified, List<NoteSignature> unknown) {

    public VerifiedNote {
        verified = List.copyOf(verified);
        unknown = List.copyOf(unknown);
    }

    /** @return true if a verified signature carries this key name */
    public boolean signedBy(String keyName) {
        return verified.stream().anyMatch(s -> s.keyName().equals(keyName));
    }
}
