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
                CommandLine.HelpCommand.class
        })
public final class Cordon implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Builds the command line with Cordon's conventions (exit code 2 on bad input). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Cordon());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof IllegalArgumentException) {
                commandLine.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
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
