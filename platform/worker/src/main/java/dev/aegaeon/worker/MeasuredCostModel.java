package dev.aegaeon.worker;

import dev.aegaeon.scheduler.CostModel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scheduler's time estimates from what this worker measured: exponentially weighted averages
 * of prefill seconds per token, decode step seconds per model, load and swap bandwidth. Starts
 * from conservative priors so the first quotas are sane before anything ran. Written by the
 * executor's threads, read by the scheduler's: each value is replaced atomically.
 */
final class MeasuredCostModel implements CostModel {
    private static final double WEIGHT = 0.2;
    private static final double PRIOR_PREFILL_PER_TOKEN = 2e-4, PRIOR_DECODE_STEP = 0.01;
    private static final double MIN_SECONDS = 1e-5;

    private record PerModel(double prefillPerToken, double decodePerStep, double decodePerSequence) {}

    private final Map<String, PerModel> models = new ConcurrentHashMap<>();
    private volatile double loadBytesPerSecond = 2e9;
    private volatile double swapBytesPerSecond = 8e9;

    @Override
    public double prefillSeconds(String model, int requests, long tokens, long tokensSquared) {
        return Math.max(MIN_SECONDS, get(model).prefillPerToken * tokens);
    }

    @Override
    public double decodeStepSeconds(String model, int batchSize, long contextTokens) {
        PerModel m = get(model);
        return Math.max(MIN_SECONDS, m.decodePerStep + m.decodePerSequence * Math.max(0, batchSize - 1));
    }

    @Override
    public double loadSeconds(String model, long bytes) {
        return bytes / loadBytesPerSecond;
    }

    @Override
    public double swapSeconds(long bytes) {
        return bytes / swapBytesPerSecond;
    }

    void recordPrefill(String model, long tokens, double seconds) {
        if (tokens <= 0) return;
        models.compute(model, (k, m) -> {
            PerModel p = m == null ? prior() : m;
            return new PerModel(mix(p.prefillPerToken, seconds / tokens), p.decodePerStep, p.decodePerSequence);
        });
    }

    /** A step's time is attributed to its batch: the per-sequence slope stays at its prior share. */
    void recordDecode(String model, int batchSize, double seconds) {
        models.compute(model, (k, m) -> {
            PerModel p = m == null ? prior() : m;
            double base = Math.max(MIN_SECONDS, seconds - p.decodePerSequence * Math.max(0, batchSize - 1));
            return new PerModel(p.prefillPerToken, mix(p.decodePerStep, base), p.decodePerSequence);
        });
    }

    void recordLoad(long bytes, double seconds) {
        if (bytes > 0) loadBytesPerSecond = mix(loadBytesPerSecond, bytes / Math.max(seconds, 1e-4));
    }

    void recordSwap(long bytes, double seconds) {
        if (bytes > 0) swapBytesPerSecond = mix(swapBytesPerSecond, bytes / Math.max(seconds, 1e-6));
    }

    private PerModel get(String model) {
        PerModel m = models.get(model);
        return m == null ? prior() : m;
    }

    private static PerModel prior() {
        return new PerModel(PRIOR_PREFILL_PER_TOKEN, PRIOR_DECODE_STEP, PRIOR_DECODE_STEP * 0.02);
    }

    private static double mix(double old, double sample) {
        return old + WEIGHT * (sample - old);
    }
}
