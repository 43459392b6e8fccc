package dev.cordon.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * One in-process run of the {@code cordon} command line, as a user would type it, with what it printed.
 *
 * @param exit the exit code
 * @param out  stdout
 * @param err  stderr
 */
record CliRun(int exit, String out, String err) {

    /** @return the result of {@code cordon args…}, run in this JVM with stdout and stderr captured */
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Cordon.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new CliRun(exit, out.toString(), err.toString());
    }
}
