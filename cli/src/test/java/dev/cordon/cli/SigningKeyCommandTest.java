package dev.cordon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cordon.schemas.signing.SigningKey;
import dev.cordon.schemas.signing.TrustedKeys;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code cordon signing-key new} prints a file {@code --config} can read as it is. */
class SigningKeyCommandTest {

    @Test
    void shouldPrintAPropertiesFileWhoseValuesAreExactlyTheKeys() throws Exception {
        // Given the command run in-process
        StringWriter out = new StringWriter();
        CommandLine cl = Cordon.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        int exit = cl.execute("signing-key", "new");
        // When its output is loaded as a properties file
        Properties p = new Properties();
        p.load(new StringReader(out.toString()));
        // Then the three values are the keys alone, consistent with each other, and the comments are on lines of their own
        assertThat(exit).isZero();
        assertThat(p.stringPropertyNames())
                .containsExactlyInAnyOrder("ingest.signing.private.key", "ingest.signing.key.id", "directive.trusted.keys");
        String priv = p.getProperty("ingest.signing.private.key");
        String keyId = p.getProperty("ingest.signing.key.id");
        String trusted = p.getProperty("directive.trusted.keys");
        assertThat(priv).matches("[A-Za-z0-9+/]+=*");
        assertThat(keyId).matches(SigningKey.KEY_ID);
        SigningKey key = SigningKey.fromPrivateKey(keyId, priv);
        assertThat(trusted).isEqualTo(key.trustedEntry()).doesNotContain("#").doesNotContain(" ");
        TrustedKeys.parse(List.of(trusted));
        assertThat(out.toString().lines().filter(l -> l.contains("#"))).allMatch(l -> l.startsWith("#"));
    }
}
