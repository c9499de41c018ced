package dev.aegaeon.runtime.sampling;

import dev.aegaeon.runtime.backend.HostSampler;
import dev.aegaeon.runtime.engine.SamplingParams;

/**
 * Every rule of {@link SamplingParams} applied to one logits row on the host, in vLLM's order:
 * raw logprobs (of the untouched row), the {@code response_format} mask, logit bias, repetition
 * then frequency and presence penalties; then greedy argmax, or temperature, min-p, top-k, top-p
 * and a draw with {@code uniform} ({@link HostSampler}). One implementation for every backend: a
 * device's logits come to the host for rows that need it.
 */
public final class RowSampler {
    private RowSampler() {}

    /**
     * @param raw        the row's logits; not modified
     * @param history    the sequence's tokens, or null when no penalty is active
     * @param constraint the sequence's JSON constraint, or null
     * @throws IllegalStateException when the constraint leaves no token and the request has no stop token
     */
    public static Sampled sample(float[] raw, SamplingParams p, TokenHistory history, JsonConstraint constraint, double uniform) {
        double[] logprobs = p.logprobs() >= 0 ? RawLogprobs.logSoftmax(raw) : null;
        float[] row = raw.clone();
        if (constraint != null && constraint.mask(row) == 0) {
            if (p.stopTokenIds().isEmpty()) throw new IllegalStateException("no token can continue the JSON output");
            int stop = p.stopTokenIds().getFirst(); // nothing the vocabulary holds continues the value: end here
            return new Sampled(stop, logprobs == null ? null : RawLogprobs.of(logprobs, stop, p.logprobs()));
        }
        LogitBias.apply(row, p.logitBias());
        if (history != null) {
            RepetitionPenalty.apply(row, p.penalties().repetition(), history);
            FrequencyPresencePenalty.apply(row, p.penalties().frequency(), p.penalties().presence(), history);
        }
        int id;
        if (p.temperature() == 0f) {
            id = HostSampler.argmax(row, 0, row.length);
        } else {
            Temperature.apply(row, p.temperature());
            MinP.apply(row, p.minP());
            id = HostSampler.sample(row, 0, row.length, 1f, p.topK(), p.topP(), uniform);
        }
        return new Sampled(id, logprobs == null ? null : RawLogprobs.of(logprobs, id, p.logprobs()));
    }
}
