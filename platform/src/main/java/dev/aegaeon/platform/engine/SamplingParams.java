package dev.aegaeon.platform.engine;

import java.util.List;
import java.util.OptionalLong;

/**
 * How to sample, as OpenAI's request fields say it. The platform has validated the ranges
 * (temperature 0..2, top_p in (0,1], 1 <= maxTokens <= the function's limit); the backend stops at
 * {@code maxTokens} (finish "length"), at end-of-sequence or the first of {@code stop} (finish
 * "stop"; the stop text itself is not emitted). A present {@code seed} makes the output
 * reproducible for the same prompt and parameters.
 */
public record SamplingParams(int maxTokens, double temperature, double topP, List<String> stop, OptionalLong seed) {
    public SamplingParams {
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1: " + maxTokens);
        stop = List.copyOf(stop);
        seed = seed == null ? OptionalLong.empty() : seed;
    }
}
