package dev.aegaeon.runtime.sampling;

/**
 * The chosen token's log-probability and the {@code topIds.length} most likely tokens of the same
 * distribution, most likely first (ties: lower id first).
 */
public record TokenLogprobs(int tokenId, float logprob, int[] topIds, float[] topLogprobs) {
    public TokenLogprobs {
        if (topIds.length != topLogprobs.length) throw new IllegalArgumentException("one logprob per top id");
    }
}
