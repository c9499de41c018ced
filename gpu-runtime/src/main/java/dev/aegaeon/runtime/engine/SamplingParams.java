package dev.aegaeon.runtime.engine;

import java.util.List;
import java.util.Map;

import dev.aegaeon.runtime.sampling.Penalties;
import dev.aegaeon.runtime.sampling.ResponseFormat;

/**
 * How one request picks its tokens and when it stops: the one sampling vocabulary of every module
 * (the OpenAI front doors build it, the pool and the engine run it). Processing order per step, as
 * vLLM's sampler: {@code response_format} mask, logit bias, penalties, then greedy argmax or
 * temperature, min-p, top-k, top-p and a draw. Reported logprobs are of the raw model distribution.
 *
 * @param temperature       0 means greedy (argmax)
 * @param topK              0 disables top-k (a request's -1 is stored as 0)
 * @param topP              1 disables top-p
 * @param minP              0 disables min-p; else tokens below {@code minP * max prob} are dropped
 * @param seed              makes sampling reproducible per request; null draws a random seed
 * @param maxTokens         generated tokens at most (the stop token, if hit, counts)
 * @param stopTokenIds      generation ends after one of these ids (typically the model's EOS ids)
 * @param stopStrings       generation ends when the decoded text contains one; the text is cut before it
 * @param penalties         presence, frequency and repetition penalties
 * @param logitBias         token id to a bias in [-100, 100] added to its logit
 * @param logprobs          -1: none; n >= 0: each token's logprob and the n most likely (n <= 20)
 * @param responseFormat    free text or a JSON constraint
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, Long seed, int maxTokens,
                             List<Integer> stopTokenIds, List<String> stopStrings, Penalties penalties,
                             Map<Integer, Float> logitBias, int logprobs, ResponseFormat responseFormat) {

    /** OpenAI's and vLLM's limit on {@code top_logprobs}. */
    public static final int MAX_LOGPROBS = 20;

    public SamplingParams {
        if (!(temperature >= 0f) || Float.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < -1) throw new IllegalArgumentException("top_k must be -1, 0 (off) or positive, got " + topK);
        if (topK == -1) topK = 0;
        if (!(topP > 0f && topP <= 1f)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (!(minP >= 0f && minP <= 1f)) throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        if (maxTokens < 1) throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxTokens);
        if (logprobs < -1 || logprobs > MAX_LOGPROBS) throw new IllegalArgumentException("logprobs must be in [0, " + MAX_LOGPROBS + "], got " + logprobs);
        stopTokenIds = stopTokenIds == null ? List.of() : List.copyOf(stopTokenIds);
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
        penalties = penalties == null ? Penalties.NONE : penalties;
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        for (var e : logitBias.entrySet()) {
            if (e.getKey() < 0) throw new IllegalArgumentException("logit_bias token id must be >= 0, got " + e.getKey());
            float b = e.getValue();
            if (!(b >= -100f && b <= 100f)) throw new IllegalArgumentException("logit_bias values must be in [-100, 100], got " + b);
        }
        responseFormat = responseFormat == null ? ResponseFormat.TEXT : responseFormat;
    }

    /** Temperature, top-k and top-p only, as most callers inside the runtime need. */
    public SamplingParams(float temperature, int topK, float topP, Long seed, int maxTokens,
                          List<Integer> stopTokenIds, List<String> stopStrings) {
        this(temperature, topK, topP, 0f, seed, maxTokens, stopTokenIds, stopStrings, Penalties.NONE, Map.of(), -1,
                ResponseFormat.TEXT);
    }

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0f, 0, 1f, 0L, maxTokens, List.of(), List.of());
    }

    /** True when a step must see this row's logits on the host (rules the device sampler lacks). */
    public boolean needsHostSampling() {
        return minP > 0f || penalties.active() || !logitBias.isEmpty() || logprobs >= 0
                || !(responseFormat instanceof ResponseFormat.Text);
    }

    public SamplingParams withStopTokenIds(List<Integer> ids) { return toBuilder().stopTokenIds(ids).build(); }

    public SamplingParams withStopStrings(List<String> strings) { return toBuilder().stopStrings(strings).build(); }

    public SamplingParams withMaxTokens(int max) { return toBuilder().maxTokens(max).build(); }

    public SamplingParams withSeed(Long seed) { return toBuilder().seed(seed).build(); }

    public SamplingParams withLogprobs(int logprobs) { return toBuilder().logprobs(logprobs).build(); }

    public SamplingParams withResponseFormat(ResponseFormat format) { return toBuilder().responseFormat(format).build(); }

    public Builder toBuilder() { return new Builder(this); }

    /** Temperature 1, no truncation, no seed, one token: set what differs. */
    public static Builder builder() { return new Builder(greedy(1)).temperature(1f).seed(null); }

    /** Named setters for the many fields; {@link #build()} validates. */
    public static final class Builder {
        private float temperature, topP, minP;
        private int topK, maxTokens, logprobs;
        private Long seed;
        private List<Integer> stopTokenIds;
        private List<String> stopStrings;
        private Penalties penalties;
        private Map<Integer, Float> logitBias;
        private ResponseFormat responseFormat;

        private Builder(SamplingParams p) {
            temperature = p.temperature; topK = p.topK; topP = p.topP; minP = p.minP; seed = p.seed;
            maxTokens = p.maxTokens; stopTokenIds = p.stopTokenIds; stopStrings = p.stopStrings;
            penalties = p.penalties; logitBias = p.logitBias; logprobs = p.logprobs; responseFormat = p.responseFormat;
        }

        public Builder temperature(float v) { temperature = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder topP(float v) { topP = v; return this; }
        public Builder minP(float v) { minP = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        public Builder stopTokenIds(List<Integer> v) { stopTokenIds = v; return this; }
        public Builder stopStrings(List<String> v) { stopStrings = v; return this; }
        public Builder penalties(Penalties v) { penalties = v; return this; }
        public Builder logitBias(Map<Integer, Float> v) { logitBias = v; return this; }
        public Builder logprobs(int v) { logprobs = v; return this; }
        public Builder responseFormat(ResponseFormat v) { responseFormat = v; return this; }

        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, minP, seed, maxTokens, stopTokenIds, stopStrings,
                    penalties, logitBias, logprobs, responseFormat);
        }
    }
}
