package dev.cordon.cli;

import dev.cordon.ingest.Tokens;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cordon token new}: makes a random bearer token for the ingest API and the salted-hash
 * entry that goes into {@code ingest.auth.tokens}; only the hash is ever stored in configuration.
 */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Bearer tokens for the ingest API.",
        subcommands = {TokenCommand.New.class})
public final class TokenCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Prints a new token (give it to the operator) and its config entry (give it to the service). */
    @Command(name = "new", mixinStandardHelpOptions = true, description = "Print a new random token and its ingest.auth.tokens entry.")
    public static final class New implements Callable<Integer> {
        @Option(names = "--principal", required = true, description = "Who the token authenticates, e.g. alice@platform.")
        String principal;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (!principal.matches("[A-Za-z0-9._@-]+")) {
                throw new IllegalArgumentException("--principal: use letters, digits and . _ @ - only (it is stored before a ':')");
            }
            byte[] b = new byte[32];
            new SecureRandom().nextBytes(b);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            var out = spec.commandLine().getOut();
            out.println("token: " + token);
            out.println("config: " + principal + ":" + Tokens.hash(token));
            return 0;
        }
    }
}
