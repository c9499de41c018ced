package dev.aegaeon.runtime.engine;

/**
 * A prompt run to completion by {@link InferenceEngine#generate}.
 *
 * @param prefillNanos time of the prefill step (including its first sampled token)
 * @param decodeNanos  time of all decode steps together
 */
public record Generation(int[] promptIds, int[] ids, String text, FinishReason finishReason,
                         long prefillNanos, long decodeNanos) {

    public double prefillTokensPerSecond() { return promptIds.length / (prefillNanos / 1e9); }

    /** Tokens from decode steps (all but the first generated token, which prefill produced). */
    public double decodeTokensPerSecond() {
        return decodeNanos == 0 ? 0 : (ids.length - 1) / (decodeNanos / 1e9);
    }
}
