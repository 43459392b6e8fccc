package dev.cordon.bench.internal;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Polling waits on conditions (never a sleep that hopes). */
public final class Waits {
    private Waits() {
    }

    /**
     * Polls {@code condition} every 20 ms.
     *
     * @throws TimeoutException naming what was awaited when it does not hold within {@code timeout}
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
