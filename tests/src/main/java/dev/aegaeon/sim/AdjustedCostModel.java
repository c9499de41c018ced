package dev.aegaeon.sim;

import dev.aegaeon.scheduler.CostModel;

/**
 * A cost model with the step times scaled and the load time fixed, to test how far a difference
 * between the bench's table and what the serving pool really spends explains a measured result.
 *
 * @param decodeScale  factor on every decode step (1 = the table)
 * @param prefillScale factor on every prefill (1 = the table)
 * @param loadSeconds  seconds per model load; NaN keeps the base model's
 * @param evictSeconds seconds per eviction on the copy engine; NaN keeps the base model's
 */
public record AdjustedCostModel(CostModel base, double decodeScale, double prefillScale, double loadSeconds, double evictSeconds)
        implements CostModel {
    public AdjustedCostModel {
        if (!(decodeScale > 0) || !(prefillScale > 0)) throw new IllegalArgumentException("scales must be positive");
        if (!Double.isNaN(loadSeconds) && !(loadSeconds > 0)) throw new IllegalArgumentException("loadSeconds must be positive or NaN");
        if (!Double.isNaN(evictSeconds) && !(evictSeconds >= 0)) throw new IllegalArgumentException("evictSeconds must be >= 0 or NaN");
    }

    public AdjustedCostModel(CostModel base, double decodeScale, double prefillScale, double loadSeconds) {
        this(base, decodeScale, prefillScale, loadSeconds, Double.NaN);
    }

    @Override
    public double evictSeconds(String model) {
        return Double.isNaN(evictSeconds) ? base.evictSeconds(model) : evictSeconds;
    }

    @Override
    public double prefillSeconds(String model, int requests, long tokens, long tokensSquared) {
        return prefillScale * base.prefillSeconds(model, requests, tokens, tokensSquared);
    }

    @Override
    public double decodeStepSeconds(String model, int batchSize, long contextTokens) {
        return decodeScale * base.decodeStepSeconds(model, batchSize, contextTokens);
    }

    @Override
    public double loadSeconds(String model, long bytes) {
        return Double.isNaN(loadSeconds) ? base.loadSeconds(model, bytes) : loadSeconds;
    }

    @Override
    public double swapSeconds(long bytes) {
        return base.swapSeconds(bytes);
    }
}
