package dev.cordon.enforcement.crash;

import dev.cordon.enforcement.EnforcementApp;
import dev.cordon.enforcement.EnforcementConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The enforcement service as its own JVM, for tests that kill it with SIGKILL: arguments are {@code key=value}
 * configuration entries ({@link EnforcementConfig}); prints {@code STARTED} once Kafka Streams is started and
 * {@code RUNNING} when it first reaches RUNNING, then runs until killed.
 */
public final class EnforcementProcessMain {
    private EnforcementProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put(EnforcementConfig.SIGNATURES_REQUIRED_CONFIG, "false"); // the crash tests produce unsigned changes
        for (String arg : args) {
            int eq = arg.indexOf('=');
            config.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        EnforcementApp app;
        try {
            app = EnforcementApp.start(new EnforcementConfig(config));
        } catch (RuntimeException e) {
            System.out.println("REFUSED " + e.getMessage());
            System.out.flush();
            System.exit(3);
            return;
        }
        System.out.println("STARTED");
        System.out.flush();
        while (app.streams().state() != org.apache.kafka.streams.KafkaStreams.State.RUNNING) {
            Thread.sleep(50); // polling a state for a log line; the test waits on the line with a timeout
        }
        System.out.println("RUNNING");
        System.out.flush();
        Thread.currentThread().join();
    }
}
