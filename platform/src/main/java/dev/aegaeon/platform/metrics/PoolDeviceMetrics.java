package dev.aegaeon.platform.metrics;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 *   <li>{@code aegaeon_pool_kv_handoff_copy_seconds_count} / {@code _sum} and the same three gauges
 *       under {@code aegaeon_pool_kv_handoff_copy_}: the part of each hand-off spent copying its KV
 *       (through pinned host memory, or device to device with {@code aegaeon.pool.peer-handoff});</li>
 *   <li>{@code aegaeon_pool_device_busy_seconds_total{instance,role}}: each device's compute time;</li>
 *   <li>{@code aegaeon_pool_device_memory_used_bytes{instance}} and {@code _capacity_bytes}: device
 *       memory taken by resident weights and KV pools, and what each device has for them, by the
 *       pool's own accounting (the driver's figure also counts the runtime's buffers);</li>
 *   <li>{@code aegaeon_pool_host_memory_used_bytes}: weight images held in host memory, each shared
 *       image once, against the budget {@code aegaeon_pool_host_memory_budget_bytes}.</li>
 * </ul>
 * Quarkus binds every {@link MeterBinder} bean to its registry; with the trivial backend nothing is bound.
 */
@Singleton
public class PoolDeviceMetrics implements MeterBinder {
    private static final Map<String, ToDoubleFunction<HandoffStats.Summary>> QUANTILES = Map.of(
            "p50", HandoffStats.Summary::p50Seconds, "p99", HandoffStats.Summary::p99Seconds, "max", HandoffStats.Summary::maxSeconds);
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
        FunctionTimer.builder("aegaeon.pool.kv.handoff.copy", pool, p -> p.handoffCopyStats().count(),
                        p -> p.handoffCopyStats().totalSeconds(), TimeUnit.SECONDS)
                .description("The KV copies of those hand-offs alone: seconds each request's KV spent moving between devices")
                .register(registry);
        QUANTILES.forEach((q, f) -> {
            gauge(registry, pool, "aegaeon.pool.kv.handoff." + q, ModelPool::handoffStats, f, "KV hand-off seconds");
            gauge(registry, pool, "aegaeon.pool.kv.handoff.copy." + q, ModelPool::handoffCopyStats, f, "KV hand-off copy seconds");
        });
        for (InstanceStats s : pool.instanceStats()) {
            int instance = s.instance();
            FunctionCounter.builder("aegaeon.pool.device.busy", pool, p -> p.instanceStats().get(instance).busySeconds())
                    .description("Seconds the device's compute thread ran steps and KV swaps").baseUnit("seconds")
                    .tag("instance", Integer.toString(instance)).tag("role", s.role().name().toLowerCase(Locale.ROOT))
                    .register(registry);
            Gauge.builder("aegaeon.pool.device.memory.used", pool, p -> p.deviceBytesInUse(instance))
                    .description("Device memory taken by resident weights and KV pools").baseUnit("bytes")
                    .tag("instance", Integer.toString(instance)).register(registry);
            Gauge.builder("aegaeon.pool.device.memory.capacity", pool, p -> p.deviceMemoryBytes())
                    .description("Device memory the pool may use for weights and KV").baseUnit("bytes")
                    .tag("instance", Integer.toString(instance)).register(registry);
        }
        Gauge.builder("aegaeon.pool.host.memory.used", pool, p -> p.hostCacheBytes())
                .description("Host memory taken by weight images, each shared image counted once").baseUnit("bytes")
                .register(registry);
        Gauge.builder("aegaeon.pool.host.memory.budget", pool, p -> p.hostMemoryBudgetBytes())
                .description("Host memory the registered models' weight images may take together").baseUnit("bytes")
                .register(registry);
    }

    private static void gauge(MeterRegistry registry, ModelPool pool, String name,
                              Function<ModelPool, HandoffStats.Summary> stats,
                              ToDoubleFunction<HandoffStats.Summary> f, String what) {
        String q = name.substring(name.lastIndexOf('.') + 1);
        Gauge.builder(name, pool, p -> f.applyAsDouble(stats.apply(p)))
                .description(what + ", " + q + " of the recent hand-offs").baseUnit("seconds").register(registry);
    }
}
