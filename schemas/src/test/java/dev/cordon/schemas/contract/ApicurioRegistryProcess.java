package dev.cordon.schemas.contract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Apicurio Registry ({@code io.apicurio:apicurio-registry-app:2.6.13.Final:zip:all}, a Quarkus
 * application; Apache-2.0) started as a child JVM from the artifact Maven unpacked into
 * {@code target/apicurio-registry} (maven-dependency-plugin, phase {@code process-test-resources}; the path
 * comes in system property {@value #RUNNER_PROPERTY}).
 *
 * <p>It binds {@code 127.0.0.1} on an ephemeral port ({@code quarkus.http.port=0}; the port is read from
 * Quarkus' "Listening on" log line), keeps its state in memory (H2), and serves the Confluent Schema Registry
 * API at {@link #confluentApiUrl()} ({@code /apis/ccompat/v7}). Start-up takes about 3 s on 2 cores.
 */
final class ApicurioRegistryProcess implements AutoCloseable {
    static final String RUNNER_PROPERTY = "cordon.apicurio.runner";
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://127\\.0\\.0\\.1:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final int port;
    private final List<String> output;

    private ApicurioRegistryProcess(Process process, int port, List<String> output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    /** @return the runner jar, or a message saying why it is missing */
    static Path runnerJar() {
        String configured = System.getProperty(RUNNER_PROPERTY);
        if (configured == null) {
            throw new IllegalStateException("System property " + RUNNER_PROPERTY + " is not set: run the tests through "
                    + "Maven (./mvnw -pl schemas test), whose process-test-resources phase unpacks Apicurio Registry");
        }
        Path jar = Path.of(configured);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: run ./mvnw -pl schemas process-test-resources, "
                    + "which unpacks io.apicurio:apicurio-registry-app:2.6.13.Final:zip:all");
        }
        return jar;
    }

    /**
     * Starts the registry and returns once its Confluent API answers {@code GET /subjects} with 200.
     *
     * @throws IllegalStateException when it exits or does not answer within 90 s (its output is in the message)
     */
    static ApicurioRegistryProcess start() {
        Path jar = runnerJar();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=0",
                "-Dquarkus.log.console.color=false", "-Dquarkus.banner.enabled=false",
                "-jar", jar.toString())
                .directory(jar.getParent().toFile())
                .redirectErrorStream(true);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + jar, e);
        }
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the process ended; the exit is reported below
            }
            port.completeExceptionally(new IllegalStateException("Apicurio Registry exited before listening"));
        }, "apicurio-registry-output");
        reader.setDaemon(true);
        reader.start();
        ApicurioRegistryProcess registry;
        try {
            registry = new ApicurioRegistryProcess(process, port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS), output);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("Apicurio Registry did not start: " + e + "\n" + String.join("\n", output), e);
        }
        registry.awaitReady();
        return registry;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue() + ":\n"
                        + String.join("\n", output));
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(confluentApiUrl() + "/subjects"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not answering yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Apicurio Registry", e);
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("Apicurio Registry did not answer within " + START_TIMEOUT + ":\n"
                        + String.join("\n", output));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // poll interval of a condition wait
        }
    }

    /** @return base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:41234/apis/ccompat/v7} */
    String confluentApiUrl() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    /** @return what the registry printed so far (for failure messages) */
    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
