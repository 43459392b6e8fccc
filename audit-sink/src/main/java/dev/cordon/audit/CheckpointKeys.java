package dev.cordon.audit;

import dev.cordon.audit.merkle.NoteKeys;
import dev.cordon.audit.merkle.NoteSigner;
import dev.cordon.audit.merkle.NoteVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.List;
import java.util.Objects;

/**
 * The checkpoint signing key (Ed25519, c2sp.org/signed-note) of the audit sink, and of witnesses.
 *
 * <h2>Key file</h2>
 * UTF-8 text, lines starting with {@code #} ignored, two lines:
 * <pre>
 * PRIVATE+KEY+&lt;name&gt;+&lt;hex key ID&gt;+&lt;base64(0x01 || 32-byte seed)&gt;     (the signer key: secret)
 * &lt;name&gt;+&lt;hex key ID&gt;+&lt;base64(type || 32-byte public key)&gt;              (the verifier key: public)
 * </pre>
 * the formats of Go's {@code golang.org/x/mod/sumdb/note} ({@code note.GenerateKey}). Both are needed because
 * the JDK cannot derive an Ed25519 public key from its seed; {@link #load} checks that they belong together.
 * A generated key file is created with permissions {@code rw-------} (where POSIX permissions exist) next to a
 * {@code .vkey} file holding only the verifier key, which is what auditors get.
 *
 * <h2>Rotation</h2>
 * Point {@code audit.signing.key.file} at a new file (or delete the generated one) and restart the sink: it
 * registers the new verifier key in {@code audit_signing_keys}, signs a {@code ROTATION} checkpoint, and old
 * checkpoints keep naming (and verifying under) the old key, which stays in that table.
 */
public final class CheckpointKeys {
    /** File name of the generated key inside {@code audit.signing.key.dir}. */
    public static final String GENERATED_KEY_FILE = "checkpoint-signer.key";
    /** File name of the exported verifier key inside {@code audit.signing.key.dir}. */
    public static final String GENERATED_VKEY_FILE = "checkpoint-signer.vkey";

    /**
     * A signing key and its public verifier key.
     *
     * @param signer      signs notes (type 0x01)
     * @param verifierKey the public key as verifier key text, for auditors
     */
    public record KeyMaterial(NoteSigner signer, String verifierKey) {
        /** @return a verifier for this key */
        public NoteVerifier verifier() {
            return NoteVerifier.fromVerifierKey(verifierKey);
        }
    }

    private CheckpointKeys() {
    }

    /** @return a new Ed25519 key named {@code keyName} */
    public static KeyMaterial generate(String keyName, byte verifierType) {
        KeyPair kp = NoteKeys.generate();
        NoteSigner signer = NoteSigner.of(keyName, kp);
        return new KeyMaterial(signer, NoteKeys.verifierKey(keyName, verifierType, kp.getPublic()));
    }

    /** @return the key file text of {@code key} plus its signer key text */
    public static String keyFileText(String signerKeyText, String verifierKey) {
        return "# Cordon checkpoint signing key (secret). Line 1: signer key, line 2: public verifier key.\n"
                + signerKeyText + "\n" + verifierKey + "\n";
    }

    /**
     * Reads a key file (see the class documentation).
     *
     * @param file the key file
     * @return the key
     * @throws IllegalArgumentException naming the file and what is wrong (missing line, keys not a pair)
     * @throws UncheckedIOException     if it cannot be read
     */
    public static KeyMaterial load(Path file) {
        Objects.requireNonNull(file, "file");
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("audit.signing.key.file: cannot read " + file + ": " + e.getMessage(), e);
        }
        String signerText = null;
        String vkeyText = null;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("PRIVATE+KEY+")) {
                signerText = line;
            } else {
                vkeyText = line;
            }
        }
        if (signerText == null || vkeyText == null) {
            throw new IllegalArgumentException("audit.signing.key.file: " + file + " must hold a signer key line "
                    + "(PRIVATE+KEY+<name>+<id>+<base64>) and its verifier key line (<name>+<id>+<base64>)");
        }
        NoteSigner signer = NoteSigner.fromSignerKey(signerText);
        NoteVerifier verifier = NoteVerifier.fromVerifierKey(vkeyText);
        String probe = "cordon key check\n";
        if (!verifier.keyName().equals(signer.keyName()) || !verifier.verify(probe, signer.sign(probe))) {
            throw new IllegalArgumentException("audit.signing.key.file: " + file
                    + ": the verifier key does not belong to the signer key");
        }
        return new KeyMaterial(signer, vkeyText);
    }

    /**
     * Loads {@code <dir>/checkpoint-signer.key}, or generates it (with the {@code .vkey} next to it) on first
     * start.
     *
     * @param dir     the key directory (created if missing)
     * @param keyName the key name for a new key (the checkpoint origin)
     * @return the key
     */
    public static KeyMaterial loadOrGenerate(Path dir, String keyName) {
        Path file = dir.resolve(GENERATED_KEY_FILE);
        if (Files.exists(file)) {
            return load(file);
        }
        KeyPair kp = NoteKeys.generate();
        NoteSigner signer = NoteSigner.of(keyName, kp);
        String vkey = NoteKeys.verifierKey(keyName, NoteKeys.TYPE_ED25519, kp.getPublic());
        try {
            Files.createDirectories(dir);
            writeSecret(file, keyFileText(NoteKeys.signerKey(keyName, kp), vkey));
            Files.writeString(dir.resolve(GENERATED_VKEY_FILE), vkey + "\n", StandardCharsets.UTF_8);
        } catch (FileAlreadyExistsException e) {
            return load(file); // another instance won the race
        } catch (IOException e) {
            throw new UncheckedIOException("audit.signing.key.dir: cannot write " + file + ": " + e.getMessage(), e);
        }
        return new KeyMaterial(signer, vkey);
    }

    /**
     * A witness key: its name, the Ed25519 key pair, and the verifier key of its cosignatures (type 0x04,
     * c2sp.org/tlog-cosignature) that auditors pass to {@code verify --witness-key}.
     */
    public record WitnessKey(String name, KeyPair keyPair, String cosignatureVerifierKey) {
    }

    /**
     * Reads a key file (same format as the checkpoint key) as a witness key.
     *
     * @throws IllegalArgumentException if the file does not hold a matching signer and verifier key
     */
    public static WitnessKey loadWitnessKey(Path file) {
        KeyMaterial km = load(file); // checks the pair
        String vkey = km.verifierKey();
        String signerText = null;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.strip().startsWith("PRIVATE+KEY+")) {
                    signerText = line.strip();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] seed = keyMaterial(signerText.substring("PRIVATE+KEY+".length()));
        byte[] pub = keyMaterial(vkey);
        KeyPair kp = new KeyPair(NoteKeys.publicKeyFromRaw(pub), NoteKeys.privateKeyFromRaw(seed));
        String name = km.signer().keyName();
        return new WitnessKey(name, kp, NoteKeys.verifierKey(name, NoteKeys.TYPE_COSIGNATURE_V1, kp.getPublic()));
    }

    /** Generates a witness key file (signer + verifier key lines) and returns the key. */
    public static WitnessKey generateWitnessKey(Path file, String name) {
        KeyPair kp = NoteKeys.generate();
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            writeSecret(file, keyFileText(NoteKeys.signerKey(name, kp), NoteKeys.verifierKey(name, NoteKeys.TYPE_ED25519,
                    kp.getPublic())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write witness key " + file + ": " + e.getMessage(), e);
        }
        return new WitnessKey(name, kp, NoteKeys.verifierKey(name, NoteKeys.TYPE_COSIGNATURE_V1, kp.getPublic()));
    }

    /** The 32 key bytes of {@code <name>+<hex>+<base64(type || key)>} (format already checked). */
    private static byte[] keyMaterial(String text) {
        int p1 = text.indexOf('+');
        int p2 = text.indexOf('+', p1 + 1);
        byte[] blob = java.util.Base64.getDecoder().decode(text.substring(p2 + 1));
        return java.util.Arrays.copyOfRange(blob, 1, blob.length);
    }

    /** Writes {@code text} to a new file readable only by its owner (where the file system allows). */
    public static void writeSecret(Path file, String text) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    }
}
