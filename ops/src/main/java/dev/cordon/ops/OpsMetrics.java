package dev.cordon.ops;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's metrics: one {@link PrometheusMeterRegistry} with the common tag {@code service=<name>}, the JVM
 * binders (memory, GC, threads, class loading, CPU, uptime) already bound, and Micrometer's Kafka client binders
 * ({@link KafkaClientMetrics}) bound on request. Kafka client metrics appear as {@code kafka_consumer_*},
 * {@code kafka_producer_*}, {@code kafka_admin_client_*} — consumer lag is
 * {@code kafka_consumer_fetch_manager_records_lag_max}.
 *
 * <p>Close it after the clients it binds: it closes the binders (their refresh threads) and the registry.
 */
public final class OpsMetrics implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpsMetrics.class);

    private final PrometheusMeterRegistry registry;
    private final List<AutoCloseable> binders = new ArrayList<>();

    private OpsMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param service value of the common {@value MetricNames#TAG_SERVICE} tag, e.g. {@code audit-sink}
     * @return a registry with the JVM binders bound
     */
    public static OpsMetrics create(String service) {
        Objects.requireNonNull(service, "service");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags(MetricNames.TAG_SERVICE, service);
        OpsMetrics m = new OpsMetrics(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        m.binders.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return m;
    }

    /** @return the registry; serve it with {@link OpsServer} */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Binds a Kafka producer's client metrics (refreshed every 60 s, Micrometer's default). */
    public void bind(Producer<?, ?> producer) {
        add(new KafkaClientMetrics(producer));
    }

    /** Binds a Kafka consumer's client metrics, including {@code records-lag-max} per partition. */
    public void bind(Consumer<?, ?> consumer) {
        add(new KafkaClientMetrics(consumer));
    }

    /** Binds a Kafka admin client's metrics. */
    public void bind(AdminClient admin) {
        add(new KafkaClientMetrics(admin));
    }

    /** Binds any other binder; it is closed with this object when it is {@link AutoCloseable}. */
    public void bind(MeterBinder binder) {
        binder.bindTo(registry);
        if (binder instanceof AutoCloseable c) {
            synchronized (binders) {
                binders.add(c);
            }
        }
    }

    private void add(KafkaClientMetrics binder) {
        bind((MeterBinder) binder);
    }

    /** @return {@code registry.scrape()}: the Prometheus text format (0.0.4) */
    public String scrape() {
        return registry.scrape();
    }

    /** Tags helper for callers: {@code Tags.of(k, v, …)}. */
    public static Tags tags(String... keyValues) {
        return Tags.of(keyValues);
    }

    /** Closes the binders, then the registry. Idempotent enough: closing twice is harmless. */
    @Override
    public void close() {
        synchronized (binders) {
            for (AutoCloseable c : binders) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debug("closing metrics binder {}: {}", c, e.toString());
                }
            }
            binders.clear();
        }
        registry.close();
    }
}
