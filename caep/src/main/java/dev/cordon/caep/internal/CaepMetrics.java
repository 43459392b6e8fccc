package dev.cordon.caep.internal;

import dev.cordon.caep.CaepConfig;
import dev.cordon.ops.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The transmitter's meters ({@link MetricNames} {@code cordon.caep.*}): counters of SETs signed, delivered,
 * failed and push retries (per process), and a gauge of SETs pending per receiver read from the delivery store
 * (durable, so it survives restarts; the count is cached for {@value #PENDING_CACHE_MS} ms so scrapes stay cheap).
 */
public final class CaepMetrics {
    static final long PENDING_CACHE_MS = 1_000;

    private final MeterRegistry registry;
    private final Map<String, String> deliveryByReceiver;
    private final Counter signed;
    private volatile DeliveryStore store;
    private Map<String, Long> pending = Map.of();
    private long pendingReadAtMs; // 0: the first read goes to the database
    private volatile boolean storeReadable = true;
    private volatile String storeError;

    public CaepMetrics(MeterRegistry registry, List<CaepConfig.Receiver> receivers) {
        this.registry = registry;
        this.deliveryByReceiver = receivers.stream().collect(Collectors.toUnmodifiableMap(CaepConfig.Receiver::name,
                r -> r.delivery().name().toLowerCase(Locale.ROOT)));
        this.signed = Counter.builder(MetricNames.CAEP_EVENTS_SIGNED).description("SETs signed and stored")
                .register(registry);
        for (CaepConfig.Receiver r : receivers) {
            Gauge.builder(MetricNames.CAEP_EVENTS_PENDING, this, m -> m.pending(r.name()))
                    .tag("receiver", r.name()).description("SETs not yet delivered, acknowledged or failed")
                    .register(registry);
            // Create the counters at 0 so that rate() and alerts see the series before the first event.
            delivered(r.name(), 0);
            failed(r.name(), 0);
            if (r.delivery() == CaepConfig.Delivery.PUSH) {
                Counter.builder(MetricNames.CAEP_PUSH_RETRIES).tag("receiver", r.name()).register(registry);
            }
        }
    }

    /** Attaches the store the pending gauge reads. */
    void readFrom(DeliveryStore store) {
        this.store = store;
    }

    void signed(int n) {
        signed.increment(n);
    }

    void delivered(String receiver) {
        delivered(receiver, 1);
    }

    private void delivered(String receiver, int n) {
        Counter.builder(MetricNames.CAEP_EVENTS_DELIVERED).tag("receiver", receiver).tag("delivery", delivery(receiver))
                .description("SETs delivered (push: 202; poll: acknowledged)").register(registry).increment(n);
    }

    void failed(String receiver) {
        failed(receiver, 1);
    }

    private void failed(String receiver, int n) {
        Counter.builder(MetricNames.CAEP_EVENTS_FAILED).tag("receiver", receiver).tag("delivery", delivery(receiver))
                .description("SETs marked FAILED for good").register(registry).increment(n);
    }

    void retried(String receiver) {
        Counter.builder(MetricNames.CAEP_PUSH_RETRIES).tag("receiver", receiver).register(registry).increment();
    }

    private String delivery(String receiver) {
        return deliveryByReceiver.getOrDefault(receiver, "unknown");
    }

    /** @return PENDING SETs of {@code receiver} (cached), or NaN when the store cannot be read */
    public double pending(String receiver) {
        Map<String, Long> counts = pendingCounts();
        return counts == null ? Double.NaN : counts.getOrDefault(receiver, 0L);
    }

    private synchronized Map<String, Long> pendingCounts() {
        DeliveryStore s = store;
        if (s == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        if (now - pendingReadAtMs >= PENDING_CACHE_MS) {
            pendingReadAtMs = now;
            try {
                pending = new HashMap<>(s.pendingByReceiver());
                storeReadable = true;
                storeError = null;
            } catch (SQLException | RuntimeException e) {
                pending = null;
                storeReadable = false;
                storeError = e.toString();
            }
        }
        return pending;
    }

    /** @return whether the last read of the delivery store succeeded (reads it when the cache is stale) */
    public boolean storeReadable() {
        pendingCounts();
        return storeReadable;
    }

    /** @return the last delivery-store read error, or {@code null} */
    public String storeError() {
        return storeError;
    }

}
