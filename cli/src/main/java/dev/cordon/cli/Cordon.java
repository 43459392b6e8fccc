package dev.cordon.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cordon} command. Exit codes: 0 success, 1 a check failed (scenario audit, demo
 * mismatch, audit verification), 2 bad usage or input.
 */
@Command(name = "cordon", mixinStandardHelpOptions = true, version = "cordon 0.1.0",
        description = "Propagate emergency access directives to live sessions, with an auditable trail.",
        subcommands = {
                DemoCommand.class,
                ScenarioCommand.class,
                StackCommand.class,
                ServiceCommands.Ingest.class,
                ServiceCommands.Stream.class,
                ServiceCommands.AuditSinkService.class,
                CaepCommand.class,
                AuditCommands.class,
                DirectiveCommands.class,
                TopicsCommand.class,
                TokenCommand.class,
                BenchCommand.class,
                SigningKeyCommand.class,
                CommandLine.HelpCommand.class
        })
public final class Cordon implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Builds the command line with Cordon's conventions (exit code 2 on bad input). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Cordon());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean badInput = ex instanceof IllegalArgumentException || ex instanceof org.apache.kafka.common.config.ConfigException;
            commandLine.getErr().println("error: " + describe(ex));
            if (System.getenv("CORDON_DEBUG") != null) {
                ex.printStackTrace(new java.io.PrintWriter(commandLine.getErr(), true));
            } else if (!badInput) {
                commandLine.getErr().println("(set CORDON_DEBUG=1 for the stack trace)");
            }
            return badInput ? 2 : 1;
        });
        return cl;
    }

    /**
     * A failure as one readable line: the message, then the distinct messages of its causes
     * (e.g. which address did not answer), without stack frames.
     */
    static String describe(Throwable ex) {
        StringBuilder sb = new StringBuilder();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (seen.add(m) && (sb.length() == 0 || !sb.toString().contains(m))) {
                sb.append(sb.length() == 0 ? "" : ": caused by ").append(m);
            }
        }
        return sb.toString();
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
