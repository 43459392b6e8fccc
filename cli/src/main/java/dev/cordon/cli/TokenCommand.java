package dev.cordon.cli;

import dev.cordon.ingest.Tokens;
import dev.cordon.ingest.Role;
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
        @Option(names = "--roles", split = ",", defaultValue = "issuer,viewer",
                description = "Roles: issuer, approver, viewer, auditor (comma-separated; default ${DEFAULT-VALUE}).")
        java.util.List<String> roles;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (!Tokens.PRINCIPAL.matcher(principal).matches()) {
                throw new IllegalArgumentException("--principal: 1-64 letters, digits and . _ @ - (it is stored before a ':')");
            }
            java.util.Set<Role> parsed = new java.util.TreeSet<>();
            for (String r : roles) {
                try {
                    parsed.add(Role.of(r.strip()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--roles: `" + r + "` is not a role; valid: issuer, approver, viewer, auditor");
                }
            }
            String token = Tokens.generate();
            var out = spec.commandLine().getOut();
            out.println("token: " + token);
            out.println("config: " + Tokens.entry(principal, parsed, token));
            return 0;
        }
    }
}
