package dev.aegaeon.sim;

import dev.aegaeon.scheduler.ModelSpec;
import dev.aegaeon.scheduler.RequestSpec;

import java.util.List;
import java.util.Map;

/**
 * A reproducible workload: requests sorted by arrival with ids 0..n-1, the true output length of
 * each (what the simulated worker generates before end of sequence; {@code maxOutputTokens} in
 * the spec equals it), the models with their architectures, how the schedulers count KV: in whole
 * pages of {@code kvPageBytes} per device as the worker's page pool does, or token by token (0), and
 * the host memory per GPU the worker gives swapped-out KV ({@code kvSwapBytesPerGpu}, past which it
 * recomputes instead, as the worker's {@code aegaeon.pool.kv-swap-bytes}).
 */
public record Trace(List<RequestSpec> requests, int[] outputTokens, Map<String, CatalogModel> models, double durationSeconds,
                    long kvPageBytes, long kvSwapBytesPerGpu) {
    /** The worker's default host memory per GPU for swapped-out KV ({@code aegaeon.pool.kv-swap-bytes}, 4 GiB). */
    public static final long DEFAULT_KV_SWAP_BYTES_PER_GPU = 4L << 30;

    /** KV counted token by token, the worker's default swap space. */
    public Trace(List<RequestSpec> requests, int[] outputTokens, Map<String, CatalogModel> models, double durationSeconds) {
        this(requests, outputTokens, models, durationSeconds, 0, DEFAULT_KV_SWAP_BYTES_PER_GPU);
    }

    public Trace {
        if (kvPageBytes < 0) throw new IllegalArgumentException("kvPageBytes must be >= 0");
        if (kvSwapBytesPerGpu < 0) throw new IllegalArgumentException("kvSwapBytesPerGpu must be >= 0");
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).id() != i) throw new IllegalArgumentException("trace ids must be 0..n-1 in order");
            if (i > 0 && requests.get(i).arrivalSeconds() < requests.get(i - 1).arrivalSeconds()) {
                throw new IllegalArgumentException("trace must be sorted by arrival");
            }
        }
    }

    public List<ModelSpec> modelSpecs() {
        return models.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getValue().spec(e.getKey(), kvPageBytes)).toList();
    }

    /** The same workload with KV counted in pages of {@code bytes} (0: token by token). */
    public Trace withKvPageBytes(long bytes) {
        return new Trace(requests, outputTokens, models, durationSeconds, bytes, kvSwapBytesPerGpu);
    }

    /**
     * The same workload where the worker's host memory for swapped-out KV is {@code bytes} per GPU
     * (0: every swap-out drops the KV and its swap-in recomputes it; {@link Long#MAX_VALUE}: unbounded).
     */
    public Trace withKvSwapBytesPerGpu(long bytes) {
        return new Trace(requests, outputTokens, models, durationSeconds, kvPageBytes, bytes);
    }
}
