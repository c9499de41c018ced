package dev.aegaeon.runtime.backend;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * Reference sampling of one logits row on the host, in HF's warper order: temperature, top-k, top-p,
 * then one draw. Any backend may use it as its {@link Backend#sample} fallback; a device sampler must
 * pick the same token for the same row and uniform.
 */
public final class HostSampler {
    private HostSampler() {}

    /** The token id for {@code logits[offset .. offset+vocab)}. */
    public static int sample(float[] logits, int offset, int vocab, float temperature, int topK, float topP, double uniform) {
        if (temperature <= 0f) return argmax(logits, offset, vocab);
        int[] candidates = candidates(logits, offset, vocab, topK, topP < 1f);
        double max = Double.NEGATIVE_INFINITY;
        for (int id : candidates) max = Math.max(max, logits[offset + id] / temperature);
        double[] probs = new double[candidates.length];
        double total = 0;
        for (int i = 0; i < candidates.length; i++) {
            probs[i] = Math.exp(logits[offset + candidates[i]] / temperature - max);
            total += probs[i];
        }
        int kept = candidates.length;
        if (topP < 1f) {
            // candidates are sorted by descending logit: keep the smallest prefix reaching topP (at least one)
            double cumulative = 0;
            for (int i = 0; i < candidates.length; i++) {
                cumulative += probs[i] / total;
                if (cumulative >= topP) {
                    kept = i + 1;
                    break;
                }
            }
            total = 0;
            for (int i = 0; i < kept; i++) total += probs[i];
        }
        double target = uniform * total;
        double cumulative = 0;
        for (int i = 0; i < kept; i++) {
            cumulative += probs[i];
            if (target < cumulative) return candidates[i];
        }
        return candidates[kept - 1];
    }

    /** First index of the largest value (ties go to the lower id, as torch.argmax does). */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float bestValue = logits[offset];
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > bestValue) {
                bestValue = logits[offset + i];
                best = i;
            }
        }
        return best;
    }

    /** Ids left after top-k; sorted by descending logit when top-k or top-p needs an order. */
    private static int[] candidates(float[] logits, int offset, int vocab, int topK, boolean sorted) {
        if (topK > 0 && topK < vocab) {
            PriorityQueue<Integer> smallest = new PriorityQueue<>(topK + 1,
                    (a, b) -> a.equals(b) ? 0 : compare(logits, offset, b, a));
            for (int i = 0; i < vocab; i++) {
                if (smallest.size() < topK) {
                    smallest.add(i);
                } else if (logits[offset + i] > logits[offset + smallest.peek()]) {
                    smallest.poll();
                    smallest.add(i);
                }
            }
            int[] ids = new int[smallest.size()];
            for (int i = ids.length - 1; i >= 0; i--) ids[i] = smallest.poll();
            return ids;
        }
        int[] ids = new int[vocab];
        if (!sorted) {
            for (int i = 0; i < vocab; i++) ids[i] = i;
            return ids;
        }
        // sort (value, id) pairs packed into longs: descending value, ascending id on ties
        long[] keys = new long[vocab];
        for (int i = 0; i < vocab; i++) {
            int bits = Float.floatToIntBits(logits[offset + i]);
            int sortable = bits >= 0 ? bits : bits ^ 0x7fffffff;
            keys[i] = ((long) ~sortable << 32) | i;
        }
        Arrays.sort(keys);
        for (int i = 0; i < vocab; i++) ids[i] = (int) keys[i];
        return ids;
    }

    /** Orders ids by descending logit, then ascending id. */
    private static int compare(float[] logits, int offset, int a, int b) {
        int byValue = Float.compare(logits[offset + b], logits[offset + a]);
        return byValue != 0 ? byValue : Integer.compare(a, b);
    }
}
