package dev.cordon.ops;

import io.javalin.http.RequestLogger;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Request latency for a Javalin app, as one Micrometer timer with tags {@code method}, {@code route} (the
 * matched path template, e.g. {@code /v1/directives/{id}} — never the raw path, so cardinality stays bounded;
 * {@code NOT_FOUND} when nothing matched) and {@code status}. Register it with
 * {@code config.requestLogger.http(HttpMetrics.requestLogger(registry, MetricNames.INGEST_HTTP_REQUESTS))}.
 */
public final class HttpMetrics {
    private HttpMetrics() {
    }

    /**
     * @param registry where the timer lives
     * @param name     Micrometer timer name, e.g. {@link MetricNames#INGEST_HTTP_REQUESTS}
     * @return a request logger recording each request's execution time (ms, as Javalin measures it)
     */
    public static RequestLogger requestLogger(MeterRegistry registry, String name) {
        return (ctx, ms) -> {
            String route = ctx.endpointHandlerPath();
            if (route == null || route.isEmpty() || "*".equals(route)) {
                route = "NOT_FOUND";
            }
            Timer.builder(name)
                    .tag("method", ctx.method().name())
                    .tag("route", route)
                    .tag("status", Integer.toString(ctx.statusCode()))
                    .publishPercentileHistogram()
                    .register(registry)
                    .record((long) (ms * 1_000_000L), TimeUnit.NANOSECONDS);
        };
    }
}
