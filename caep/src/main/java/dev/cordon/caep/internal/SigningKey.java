package dev.cordon.caep.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;

/**
 * The transmitter's RS256 key (CAEP interoperability profile: RSA, at least 2048 bits), kept as a private JWK
 * in a file; generated on first use. Its public half is served as a JWK Set.
 */
public final class SigningKey {
    private final RSAKey key;

    private SigningKey(RSAKey key) {
        this.key = key;
    }

    /**
     * Loads the key from {@code file}, or generates one of {@code bits} and writes it there (owner-only).
     *
     * @throws IllegalStateException naming the file when it is not an RSA private JWK of at least 2048 bits
     */
    public static SigningKey loadOrCreate(Path file, int bits) {
        try {
            if (!Files.exists(file)) {
                RSAKey generated = new RSAKeyGenerator(bits).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createFile(file);
                } catch (FileAlreadyExistsException raced) {
                    return loadOrCreate(file, bits);
                }
                Files.writeString(file, generated.toJSONString(), StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
                return new SigningKey(generated);
            }
            JWK jwk = JWK.parse(Files.readString(file, StandardCharsets.UTF_8));
            if (!(jwk instanceof RSAKey rsa) || !rsa.isPrivate()) {
                throw new IllegalStateException(file + ": expected an RSA private key as JWK JSON (kty RSA with d)");
            }
            if (rsa.size() < 2048) {
                throw new IllegalStateException(file + ": RSA key of " + rsa.size()
                        + " bits; the CAEP interoperability profile requires at least 2048");
            }
            return new SigningKey(rsa.getKeyID() != null ? rsa
                    : new RSAKey.Builder(rsa).keyIDFromThumbprint().build());
        } catch (IOException e) {
            throw new UncheckedIOException("caep.signing.key.file " + file + ": " + e.getMessage(), e);
        } catch (ParseException | JOSEException e) {
            throw new IllegalStateException("caep.signing.key.file " + file + ": " + e.getMessage(), e);
        }
    }

    /** @return the private key (for signing) */
    public RSAKey privateKey() {
        return key;
    }

    /** @return the key id ({@code kid}, RFC 7638 thumbprint unless the file set one) */
    public String keyId() {
        return key.getKeyID();
    }

    /** @return the public JWK Set as JSON */
    public String publicJwkSetJson() {
        return new JWKSet(key.toPublicJWK()).toString(true);
    }
}
