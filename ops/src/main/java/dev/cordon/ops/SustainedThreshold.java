package dev.cordon.ops;

/**
 * Turns a sampled value into a readiness verdict: down once the value has stayed above {@code max} for longer
 * than {@code graceMs} (a short spike, e.g. a burst of audit events, keeps the service ready). Feed it with
 * {@link #observe(long, long)} from whatever samples the value; read it with {@link #result(long)} or wrap it with
 * {@link #asHealthCheck(String, java.util.function.LongSupplier)}.
 *
 * <p>Thread-safe. Times are wall-clock milliseconds supplied by the caller (tests pass their own).
 */
public final class SustainedThreshold {
    private final String what;
    private final long max;
    private final long graceMs;
    private long lastValue = -1;
    private long aboveSinceMs = -1;
    private boolean observed;

    /**
     * @param what    name of the value, with its unit, for the detail text (e.g. {@code "audit lag (records)"})
     * @param max     largest acceptable value (inclusive)
     * @param graceMs how long, in ms, the value may stay above {@code max} before the verdict is down; ≥ 0
     * @throws IllegalArgumentException when {@code max < 0} or {@code graceMs < 0}
     */
    public SustainedThreshold(String what, long max, long graceMs) {
        if (max < 0 || graceMs < 0) {
            throw new IllegalArgumentException("max and graceMs must be >= 0, got max=" + max + " graceMs=" + graceMs);
        }
        this.what = what;
        this.max = max;
        this.graceMs = graceMs;
    }

    /** Records a sample {@code value} taken at {@code nowMs}. */
    public synchronized void observe(long value, long nowMs) {
        observed = true;
        lastValue = value;
        if (value > max) {
            if (aboveSinceMs < 0) {
                aboveSinceMs = nowMs;
            }
        } else {
            aboveSinceMs = -1;
        }
    }

    /** @return down when the last sample is above {@code max} and the first sample of that run is older than the grace */
    public synchronized HealthCheck.Result result(long nowMs) {
        if (!observed) {
            return HealthCheck.Result.up(what + " not sampled yet");
        }
        if (aboveSinceMs < 0) {
            return HealthCheck.Result.up(what + " " + lastValue + " <= " + max);
        }
        long forMs = nowMs - aboveSinceMs;
        String text = what + " " + lastValue + " > " + max + " for " + forMs + " ms (grace " + graceMs + " ms)";
        return forMs > graceMs ? HealthCheck.Result.down(text) : HealthCheck.Result.up(text);
    }

    /** @return a check named {@code name} reading {@link #result(long)} at {@code clockMs} */
    public HealthCheck asHealthCheck(String name, java.util.function.LongSupplier clockMs) {
        return new HealthCheck(name, () -> result(clockMs.getAsLong()));
    }
}
