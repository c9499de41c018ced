package dev.aegaeon.scheduler;

/** A cost model with constant times, for hand-checked scenarios. */
record FixedCost(double prefill, double step, double load, double swapPerByte) implements CostModel {
    @Override
    public double prefillSeconds(String model, int requests, long tokens, long tokensSquared) {
        return prefill;
    }

    @Override
    public double decodeStepSeconds(String model, int batchSize, long contextTokens) {
        return step;
    }

    @Override
    public double loadSeconds(String model, long bytes) {
        return load;
    }

    @Override
    public double swapSeconds(long bytes) {
        return bytes * swapPerByte;
    }
}
