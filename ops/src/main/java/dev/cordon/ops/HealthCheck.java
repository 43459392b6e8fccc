package dev.cordon.ops;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * One named health probe, evaluated on every {@code GET /health/live} or {@code GET /health/ready}
 * ({@link OpsServer}). The probe must be cheap and must not block (read a volatile field or a sampled value;
 * no remote call): probes run on the HTTP thread that serves the request.
 *
 * <p>A probe that throws counts as {@linkplain Result#down down}, with the exception as its detail.
 *
 * @param name  short, stable identifier shown in the JSON body, e.g. {@code audit-sink} or {@code audit-lag}
 * @param probe supplies the current result; never {@code null}
 */
public record HealthCheck(String name, Supplier<Result> probe) {

    /**
     * @throws NullPointerException when a component is {@code null}
     * @throws IllegalArgumentException when {@code name} is blank
     */
    public HealthCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(probe, "probe");
        if (name.isBlank()) {
            throw new IllegalArgumentException("health check name must not be blank");
        }
    }

    /**
     * A check that is up while {@code up} returns {@code true}; its detail comes from {@code detail} (may return
     * {@code null}).
     */
    public static HealthCheck of(String name, java.util.function.BooleanSupplier up, Supplier<String> detail) {
        Objects.requireNonNull(up, "up");
        Objects.requireNonNull(detail, "detail");
        return new HealthCheck(name, () -> new Result(up.getAsBoolean(), detail.get()));
    }

    /** Runs the probe; an exception or a {@code null} result yields a down result naming it. Never throws. */
    public Result evaluate() {
        try {
            Result r = probe.get();
            return r == null ? Result.down("probe returned no result") : r;
        } catch (RuntimeException e) {
            return Result.down("probe failed: " + e);
        }
    }

    /**
     * The outcome of one probe.
     *
     * @param up     {@code true} when healthy
     * @param detail human-readable explanation (may be {@code null}), e.g. {@code "lag 12000 records > 10000 for 31 s"}
     */
    public record Result(boolean up, String detail) {
        /** @return an up result with {@code detail} */
        public static Result up(String detail) {
            return new Result(true, detail);
        }

        /** @return a down result with {@code detail} */
        public static Result down(String detail) {
            return new Result(false, detail);
        }
    }
}
