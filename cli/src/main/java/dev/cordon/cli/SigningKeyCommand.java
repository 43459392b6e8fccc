package dev.cordon.cli;

import dev.cordon.schemas.signing.SigningKey;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cordon signing-key new}: the Ed25519 key directive-ingest signs directive changes with
 * ({@code ingest.signing.private.key}) and the entry enforcement-stream trusts ({@code directive.trusted.keys}).
 */
@Command(name = "signing-key", mixinStandardHelpOptions = true, description = "Keys that sign directive changes.",
        subcommands = {SigningKeyCommand.New.class})
public final class SigningKeyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Prints a new key pair as configuration lines ({@code ingest.signing.private.key}, {@code ingest.signing.key.id},
     * {@code directive.trusted.keys}), with {@code #} comments on lines of their own: the output is a valid
     * {@link java.util.Properties} file.
     */
    @Command(name = "new", mixinStandardHelpOptions = true,
            description = "Print a new Ed25519 key: the private half for ingest, the trusted entry for enforcement.")
    public static final class New implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            SigningKey key = SigningKey.generate();
            var out = spec.commandLine().getOut();
            // Comments on lines of their own: saved as-is, the output is a valid properties file (--config FILE),
            // where a trailing "# …" would become part of the value.
            out.println("# secret: directive-ingest only");
            out.println("ingest.signing.private.key=" + key.privateKeyBase64());
            out.println("ingest.signing.key.id=" + key.keyId());
            out.println("# public: enforcement-stream");
            out.println("directive.trusted.keys=" + key.trustedEntry());
            return 0;
        }
    }
}
