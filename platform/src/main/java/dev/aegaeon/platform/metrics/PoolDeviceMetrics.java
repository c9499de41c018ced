package dev.aegaeon.platform.metrics;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.aegaeon.platform.engine.InferenceBackend;
import dev.aegaeon.platform.pool.PooledInferenceBackend;
import dev.aegaeon.worker.HandoffStats;
import dev.aegaeon.worker.InstanceStats;
import dev.aegaeon.worker.ModelPool;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Device-level metrics of the model pool, read at scrape time (nothing on the token path):
 * <ul>
 *   <li>{@code aegaeon_pool_kv_handoff_seconds_count} / {@code _sum}: KV hand-offs from prefill to
 *       decode devices (disaggregated mode) and their seconds from prefill done to KV resident;</li>
 *   <li>{@code aegaeon_pool_kv_handoff_p50_seconds}, {@code _p99_seconds}, {@code _max_seconds}: over
 *       the recent hand-offs (NaN before the first);</li>
 *   <li>{@code aegaeon_pool_device_busy_seconds_total{instance,role}}: each device's compute time.</li>
 * </ul>
 * Quarkus binds every {@link MeterBinder} bean to its registry; with the trivial backend nothing is bound.
 */
@Singleton
public class PoolDeviceMetrics implements MeterBinder {
    private final InferenceBackend backend;

    @Inject
    public PoolDeviceMetrics(InferenceBackend backend) {
        this.backend = backend;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (backend instanceof PooledInferenceBackend pooled) bind(registry, pooled.pool());
    }

    /** Registers the pool's device meters on {@code registry}. */
    public static void bind(MeterRegistry registry, ModelPool pool) {
        FunctionTimer.builder("aegaeon.pool.kv.handoff", pool, p -> p.handoffStats().count(),
                        p -> p.handoffStats().totalSeconds(), TimeUnit.SECONDS)
                .description("KV hand-offs from a prefill device to a decode device: prefill done to KV resident")
                .register(registry);
        quantile(registry, pool, "p50", HandoffStats.Summary::p50Seconds);
        quantile(registry, pool, "p99", HandoffStats.Summary::p99Seconds);
        quantile(registry, pool, "max", HandoffStats.Summary::maxSeconds);
        for (InstanceStats s : pool.instanceStats()) {
            int instance = s.instance();
            FunctionCounter.builder("aegaeon.pool.device.busy", pool, p -> p.instanceStats().get(instance).busySeconds())
                    .description("Seconds the device's compute thread ran steps and KV swaps").baseUnit("seconds")
                    .tag("instance", Integer.toString(instance)).tag("role", s.role().name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
    }

    private static void quantile(MeterRegistry registry, ModelPool pool, String name, ToDoubleFunction<HandoffStats.Summary> f) {
        Gauge.builder("aegaeon.pool.kv.handoff." + name, pool, p -> f.applyAsDouble(p.handoffStats()))
                .description("KV hand-off seconds, " + name + " of the recent hand-offs").baseUnit("seconds").register(registry);
    }
}
