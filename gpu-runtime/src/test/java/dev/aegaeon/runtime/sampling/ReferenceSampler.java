package dev.aegaeon.runtime.sampling;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Straightforward scalar versions of vLLM's sampler rules (vllm/v1/sample: apply_penalties,
 * logit bias, temperature, min-p, top-k/top-p, raw logprobs), written from their documented
 * formulas without sharing code with the runtime, to compare against it.
 */
final class ReferenceSampler {
    private ReferenceSampler() {}

    static float[] logitBias(float[] logits, Map<Integer, Float> bias) {
        float[] out = logits.clone();
        for (var e : bias.entrySet()) out[e.getKey()] = out[e.getKey()] + e.getValue();
        return out;
    }

    /** vLLM: tokens in prompt or output: logits > 0 are divided by the penalty, the others multiplied. */
    static float[] repetition(float[] logits, float penalty, int[] prompt, int[] output) {
        Set<Integer> seen = new LinkedHashSet<>();
        for (int t : prompt) seen.add(t);
        for (int t : output) seen.add(t);
        float[] out = logits.clone();
        for (int t : seen) out[t] = out[t] > 0 ? out[t] / penalty : out[t] * penalty;
        return out;
    }

    /** OpenAI: logits -= frequency * count(output) + presence * [count > 0]. */
    static float[] frequencyPresence(float[] logits, float frequency, float presence, int[] output) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int t : output) counts.merge(t, 1, Integer::sum);
        float[] out = logits.clone();
        for (var e : counts.entrySet()) out[e.getKey()] = out[e.getKey()] - (frequency * e.getValue() + presence);
        return out;
    }

    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] - max);
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }

    /** vLLM MinPLogitsProcessor: probs < min_p * max(probs) get -inf. */
    static float[] minP(float[] logits, float minP) {
        double[] p = softmax(logits);
        double max = 0;
        for (double v : p) max = Math.max(max, v);
        float[] out = logits.clone();
        for (int i = 0; i < p.length; i++) if (p[i] < minP * max) out[i] = Float.NEGATIVE_INFINITY;
        return out;
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    /** temperature, min-p, top-k, top-p (smallest prefix of the descending order reaching p), inverse-CDF draw with u. */
    static int sample(float[] logits, float temperature, float minP, int topK, float topP, double u) {
        if (temperature == 0f) return argmax(logits);
        float[] scaled = new float[logits.length];
        for (int i = 0; i < scaled.length; i++) scaled[i] = logits[i] / temperature;
        if (minP > 0) scaled = minP(scaled, minP);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < scaled.length; i++) order.add(i);
        final float[] s = scaled;
        // the draw walks the CDF in descending order when top-k or top-p truncates, in id order when
        // nothing does: the runtime's (and its device sampler's) convention for which token a uniform names
        if (topK > 0 || topP < 1f) order.sort(Comparator.<Integer>comparingDouble(i -> -s[i]).thenComparingInt(i -> i));
        if (topK > 0 && topK < order.size()) order = order.subList(0, topK);
        double max = Double.NEGATIVE_INFINITY;
        for (int i : order) max = Math.max(max, s[i]);
        double[] w = new double[order.size()];
        double total = 0;
        for (int i = 0; i < w.length; i++) total += w[i] = Math.exp(s[order.get(i)] - max);
        int kept = w.length;
        if (topP < 1f) {
            double c = 0;
            for (int i = 0; i < w.length; i++) {
                c += w[i] / total;
                if (c >= topP) { kept = i + 1; break; }
            }
        }
        double keptTotal = 0;
        for (int i = 0; i < kept; i++) keptTotal += w[i];
        double target = u * keptTotal, c = 0;
        for (int i = 0; i < kept; i++) {
            c += w[i];
            if (target < c) return order.get(i);
        }
        return order.get(kept - 1);
    }

    /** log_softmax in double. */
    static double[] logSoftmax(float[] logits) {
        double[] p = softmax(logits);
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) out[i] = Math.log(p[i]);
        return out;
    }
}
