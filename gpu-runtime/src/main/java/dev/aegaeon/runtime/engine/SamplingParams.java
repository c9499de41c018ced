package dev.aegaeon.runtime.engine;

import java.util.List;

/**
 * How one request picks its tokens and when it stops.
 *
 * @param temperature  0 means greedy (argmax)
 * @param topK         0 disables top-k
 * @param topP         1 disables top-p
 * @param seed         makes sampling reproducible per request; null draws a random seed
 * @param maxTokens    generated tokens at most (the stop token, if hit, counts)
 * @param stopTokenIds generation ends after one of these ids (typically the model's EOS ids)
 * @param stopStrings  generation ends when the decoded text contains one; the text is cut before it
 */
public record SamplingParams(float temperature, int topK, float topP, Long seed, int maxTokens,
                             List<Integer> stopTokenIds, List<String> stopStrings) {

    public SamplingParams {
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        if (!(topP > 0f && topP <= 1f)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (maxTokens < 1) throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        stopTokenIds = stopTokenIds == null ? List.of() : List.copyOf(stopTokenIds);
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    }

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0f, 0, 1f, 0L, maxTokens, List.of(), List.of());
    }

    public SamplingParams withStopTokenIds(List<Integer> ids) {
        return new SamplingParams(temperature, topK, topP, seed, maxTokens, ids, stopStrings);
    }

    public SamplingParams withStopStrings(List<String> strings) {
        return new SamplingParams(temperature, topK, topP, seed, maxTokens, stopTokenIds, strings);
    }
}
