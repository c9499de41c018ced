package dev.aegaeon.scheduler;

/**
 * Time estimates the scheduler plans with (quotas, switch costs, TTFT urgency). The simulated
 * executor uses the same model to advance its clock; a real worker may feed measured values.
 * All results are in seconds, finite and non-negative.
 */
public interface CostModel {
    /** One prefill of {@code requests} prompts totalling {@code tokens}, with {@code tokensSquared} = sum of squared prompt lengths. */
    double prefillSeconds(String model, int requests, long tokens, long tokensSquared);

    /** One decode step of a batch of {@code batchSize} sequences with {@code contextTokens} total context. */
    double decodeStepSeconds(String model, int batchSize, long contextTokens);

    /** Copy {@code bytes} of the model's weights from the host cache to its instance. */
    double loadSeconds(String model, long bytes);

    /** Copy {@code bytes} of KV cache between host and device, one direction. */
    double swapSeconds(long bytes);

    /**
     * Free an evicted model's device memory, on the instance's copy engine ahead of the next load
     * (the worker frees on its copy thread, in order with loads). 0 where a free costs nothing.
     */
    default double evictSeconds(String model) { return 0; }
}
