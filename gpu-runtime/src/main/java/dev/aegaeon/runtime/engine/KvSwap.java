package dev.aegaeon.runtime.engine;

/**
 * A sequence's KV cache in host memory, made by {@link InferenceEngine#swapOut} and consumed by
 * {@link InferenceEngine#swapIn}: {@code blocks} blocks holding {@code cachedTokens} positions.
 */
public record KvSwap(float[] data, int blocks, int cachedTokens) {

    /** Host bytes the copy occupies. */
    public long bytes() { return 4L * data.length; }
}
