package dev.cordon.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service run by {@code cordon ingest|stream|audit-sink|stack} is closed completely before the JVM exits on SIGTERM:
 * a stream application must leave its group and write its checkpoints, or the next start wipes and restores every task.
 */
class ShutdownCloseTest {
    @TempDir
    Path dir;

    /** The child JVM: runs a resource whose close takes a while, as {@code ServiceCommands} runs a service. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path started = Path.of(args[0]);
            Path closed = Path.of(args[1]);
            Files.writeString(started, "started");
            ServiceCommands.runUntilShutdown(() -> {
                Thread.sleep(1_500); // a close that takes time: leaving the group, flushing, committing
                Files.writeString(closed, "closed");
            });
        }
    }

    @Test
    void shouldFinishClosingTheServiceBeforeTheJvmExitsOnSigterm() throws Exception {
        // Given a child JVM running a resource until shutdown
        Path started = dir.resolve("started");
        Path closed = dir.resolve("closed");
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Child.class.getName(), started.toString(), closed.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            await("child running").atMost(Duration.ofSeconds(30)).until(() -> Files.exists(started));

            // When it receives SIGTERM
            child.destroy();

            // Then it exits only after the resource finished closing
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child exited").isTrue();
            assertThat(closed).as("close completed before exit").exists();
        } finally {
            child.destroyForcibly();
        }
    }
}
