package dev.aegaeon.runtime.cuda;

/**
 * The CPU twin of the device sampler (sampling.cu), step for step: the same order keys, the same
 * bit-by-bit thresholds for top-k and top-p and the same splitmix64 draw, so both backends pick
 * the same id for the same (logits, parameters, seed, step).
 */
public final class SamplingTwin {
    private SamplingTwin() {}

    public static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    static long orderKey(float f) {
        int b = Float.floatToRawIntBits(f);
        int k = b < 0 ? ~b : b | 0x80000000;
        return Integer.toUnsignedLong(k);
    }

    public static double uniform01(long seed, long step) {
        long z = seed + step * 0x9E3779B97F4A7C15L + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * (1.0 / 9007199254740992.0);
    }

    public static int sample(float[] x, float temperature, int topK, float topP, long seed, long step) {
        int argmax = argmax(x);
        if (!(temperature > 0f)) return argmax;
        float invT = 1f / temperature;
        float zmax = x[argmax] * invT;
        int n = x.length;
        long kThresh = 0;
        if (topK > 0 && topK < n) {
            for (int bit = 31; bit >= 0; bit--) {
                long cand = kThresh | (1L << bit);
                int cnt = 0;
                for (float v : x) if (orderKey(v * invT) >= cand) cnt++;
                if (cnt >= topK) kThresh = cand;
            }
        }
        double total = 0;
        for (float v : x) {
            float z = v * invT;
            if (orderKey(z) >= kThresh) total += Math.exp(z - zmax);
        }
        long thresh = kThresh;
        if (topP < 1f) {
            double need = (double) topP * total;
            long tt = 0;
            for (int bit = 31; bit >= 0; bit--) {
                long cand = tt | (1L << bit);
                if (cand <= kThresh) { tt = cand; continue; }
                double mass = 0;
                for (float v : x) {
                    float z = v * invT;
                    if (orderKey(z) >= cand) mass += Math.exp(z - zmax);
                }
                if (mass >= need) tt = cand;
            }
            thresh = Math.max(tt, kThresh);
        }
        double kept = 0;
        for (float v : x) {
            float z = v * invT;
            if (orderKey(z) >= thresh) kept += Math.exp(z - zmax);
        }
        double u = uniform01(seed, step) * kept, run = 0;
        int last = argmax;
        for (int i = 0; i < n; i++) {
            float z = x[i] * invT;
            if (orderKey(z) >= thresh) {
                last = i;
                run += Math.exp(z - zmax);
                if (u < run) return i;
            }
        }
        return last;
    }
}
