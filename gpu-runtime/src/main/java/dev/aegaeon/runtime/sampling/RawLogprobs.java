package dev.aegaeon.runtime.sampling;

/**
 * Log-probabilities of the raw model distribution ({@code log_softmax} of the logits before bias,
 * penalties, temperature and truncation), as vLLM reports them by default
 * ({@code logprobs_mode = "raw_logprobs"}).
 */
public final class RawLogprobs {
    private RawLogprobs() {}

    /** {@code log_softmax(row)}, computed in double. */
    public static double[] logSoftmax(float[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) max = Math.max(max, v);
        double sum = 0;
        for (float v : row) sum += Math.exp(v - max);
        double logZ = max + Math.log(sum);
        double[] out = new double[row.length];
        for (int i = 0; i < row.length; i++) out[i] = row[i] - logZ;
        return out;
    }

    /** The chosen token's logprob and the {@code top} most likely tokens. */
    public static TokenLogprobs of(double[] logprobs, int chosen, int top) {
        int[] ids = TopIds.largest(logprobs, top);
        float[] values = new float[ids.length];
        for (int i = 0; i < ids.length; i++) values[i] = (float) logprobs[ids[i]];
        return new TokenLogprobs(chosen, (float) logprobs[chosen], ids, values);
    }
}
