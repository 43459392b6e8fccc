package dev.cordon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cordon.cli.internal.LocalPipeline;
import dev.cordon.cli.internal.ScenarioFile;
import dev.cordon.cli.internal.ScenarioRunner;
import dev.cordon.enforcement.EnforcementSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cordon scenario FILE}: plays a JSON Lines timeline through the real pipeline on the embedded stack. */
@Command(name = "scenario", mixinStandardHelpOptions = true,
        description = {"Play a scenario file through the real pipeline and print its REVOKE/DENY commands.",
                "",
                "Runs the embedded stack and the three services, sends each step at its atMs, then prints every REVOKE "
                        + "and DENY command as one JSON line on stdout (logs go to stderr). Exit 1 when the audit chain "
                        + "fails to verify, 2 for a bad file."})
public final class ScenarioCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Scenario file (.jsonl), see DESIGN.md \"Scenario files\".")
    Path file;

    @Option(names = "--session-partitions", defaultValue = "4",
            description = "Partitions of session-events (default ${DEFAULT-VALUE}).")
    int sessionPartitions;

    @Option(names = "--data-dir", description = "Keep the embedded stack's state here (default: a temporary directory).")
    Path dataDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("FILE: " + file + " is not a readable file");
        }
        ObjectMapper mapper = new ObjectMapper();
        ScenarioFile scenario = ScenarioFile.read(file, mapper);
        scenario.validateSessions(); // every session line is checked before anything starts
        try (LocalPipeline pipeline = LocalPipeline.start(
                new LocalPipeline.Options(dataDir, sessionPartitions, EnforcementSettings.defaults()), mapper, Duration.ofSeconds(90))) {
            ScenarioRunner.Result result = new ScenarioRunner(mapper, spec.commandLine().getOut(), spec.commandLine().getErr())
                    .run(scenario, pipeline);
            if (!result.audit().ok()) {
                spec.commandLine().getErr().println("audit chain BROKEN: " + result.audit());
                return 1;
            }
            spec.commandLine().getErr().println("audit chain verified: " + result.audit().entries() + " entries");
            return 0;
        }
    }
}
