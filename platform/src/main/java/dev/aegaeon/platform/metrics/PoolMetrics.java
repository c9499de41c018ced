package dev.aegaeon.platform.metrics;

import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import dev.aegaeon.worker.PoolStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The model pool's device-time meters (no labels; one pool per platform), read at scrape time.
 * Prometheus names: {@code aegaeon_pool_busy_seconds_total} (prefill and decode steps),
 * {@code aegaeon_pool_load_seconds_total}, {@code aegaeon_pool_free_seconds_total} (evicted models' memory
 * given back, on the copy thread in series with loads), {@code aegaeon_pool_swap_seconds_total},
 * {@code aegaeon_pool_switches_total}, {@code aegaeon_pool_kv_swap_outs_total},
 * {@code aegaeon_pool_stalls_total} (instances with requests to serve that went silent past the
 * pool's stall bound; each also logs one warning) (counters: take the
 * difference over a run; busy share = its busy seconds / wall seconds) and
 * {@code aegaeon_pool_host_images} (gauge).
 */
public final class PoolMetrics {
    private PoolMetrics() {}

    /**
     * Registers the meters reading {@code stats.apply(owner)}. Micrometer holds {@code owner} only
     * weakly, so it must be an object that lives as long as the pool (the backend), not a lambda.
     */
    public static <T> void register(MeterRegistry registry, T owner, Function<T, PoolStats> stats) {
        counter(registry, "aegaeon.pool.busy.seconds", "Seconds the device spent running prefill and decode steps", owner, stats,
                PoolStats::busySeconds);
        counter(registry, "aegaeon.pool.load.seconds", "Seconds spent copying model weights onto the device", owner, stats,
                PoolStats::loadSeconds);
        counter(registry, "aegaeon.pool.free.seconds", "Seconds spent freeing evicted models' device memory, in series with loads", owner, stats,
                PoolStats::freeSeconds);
        counter(registry, "aegaeon.pool.swap.seconds", "Seconds spent swapping KV cache between device and host", owner, stats,
                PoolStats::swapSeconds);
        counter(registry, "aegaeon.pool.switches", "Model loads that copied weights onto the device, all functions", owner, stats,
                s -> s.switches());
        counter(registry, "aegaeon.pool.kv.swap.outs", "Sequences whose KV cache left its device: swapped out to host memory, or detached for a peer hand-off", owner, stats,
                s -> s.kvSwapOuts());
        counter(registry, "aegaeon.pool.kv.recomputes", "Swap-outs that dropped the KV cache to compute it again at swap-in, the host memory for swapped KV (aegaeon.pool.kv-swap-bytes) being spent",
                owner, stats, s -> s.kvRecomputes());
        Gauge.builder("aegaeon.pool.kv.swap.host.bytes", owner, o -> stats.apply(o).kvSwapHostBytes())
                .description("Host memory held by KV swapped out of the devices").baseUnit("bytes")
                .register(registry);
        counter(registry, "aegaeon.pool.stalls", "Times a device with requests to serve saw no decision or completion for longer than the stall bound",
                owner, stats, s -> s.stalls());
        Gauge.builder("aegaeon.pool.host.images", owner, o -> stats.apply(o).openHostImages())
                .description("Weight images in host memory, each counted once however many functions share it")
                .register(registry);
    }

    private static <T> void counter(MeterRegistry registry, String name, String description, T owner, Function<T, PoolStats> stats,
                                    ToDoubleFunction<PoolStats> field) {
        FunctionCounter.builder(name, owner, o -> field.applyAsDouble(stats.apply(o))).description(description).register(registry);
    }
}
