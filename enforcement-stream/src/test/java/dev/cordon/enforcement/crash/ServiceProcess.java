package dev.cordon.enforcement.crash;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One enforcement service JVM ({@link EnforcementProcessMain}) started from the test classpath; killed with SIGKILL. */
final class ServiceProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ServiceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ServiceProcess start(String name, Map<String, Object> config) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(EnforcementProcessMain.class.getName());
        config.forEach((k, v) -> cmd.add(k + "=" + v));
        Path log = Files.createDirectories(Path.of("target", "crash-logs")).resolve(name + "-" + System.nanoTime() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ServiceProcess(p, log);
    }

    /** Waits until the service printed {@code line} (or fails if the JVM exited). */
    ServiceProcess awaitLine(String line, Duration timeout) {
        await("service printed " + line + " (" + log + ")").atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (output().lines().anyMatch(l -> l.startsWith(line))) {
                return true;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("service exited " + process.exitValue() + ":\n" + output());
            }
            return false;
        });
        return this;
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    Process process() {
        return process;
    }

    /** SIGKILL: no shutdown hook, no flush, no commit. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
