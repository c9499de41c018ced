package dev.aegaeon.runtime.sampling;

/**
 * vLLM's {@code min_p} on temperature-scaled logits: tokens whose probability is below
 * {@code minP} times the top probability get -inf. Equivalent to comparing logits with
 * {@code max + ln(minP)}, which needs no softmax.
 */
public final class MinP {
    private MinP() {}

    public static void apply(float[] row, float minP) {
        if (minP <= 0f) return;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : row) max = Math.max(max, v);
        // p_i < minP * p_max  <=>  exp(logit_i - max) < minP: the softmax's normaliser cancels
        for (int i = 0; i < row.length; i++) {
            if (Math.exp(row[i] - max) < minP) row[i] = Float.NEGATIVE_INFINITY;
        }
    }
}
