package dev.aegaeon.runtime.engine;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.weights.WeightNames;
import dev.aegaeon.runtime.weights.WeightSource;
import dev.aegaeon.runtime.weights.WeightTensor;

/**
 * A deliberately naive, independent forward pass (double precision, scalar loops, no KV cache, no
 * backend) that the engine is checked against. It follows HF's modeling code line by line.
 */
final class ReferenceTransformer {
    private final ModelConfig c;
    private final WeightSource w;

    ReferenceTransformer(ModelConfig config, WeightSource weights) {
        this.c = config;
        this.w = weights;
    }

    /** Logits of every position, {@code [T][vocab]}. */
    double[][] logits(int[] ids) {
        int t = ids.length, h = c.hiddenSize();
        double[][] x = new double[t][];
        WeightTensor embed = w.tensor(WeightNames.EMBED);
        for (int i = 0; i < t; i++) x[i] = row(embed, ids[i]);
        float[] inv = RotaryFrequencies.inverse(c);
        for (int l = 0; l < c.numLayers(); l++) {
            double[][] q = new double[t][], k = new double[t][], v = new double[t][];
            for (int i = 0; i < t; i++) {
                double[] n = rms(x[i], vec(layer(l, WeightNames.ATTN_NORM)));
                q[i] = matvec(layer(l, WeightNames.Q_PROJ), n, c.family().qkvBias() ? vec(layer(l, WeightNames.Q_BIAS)) : null);
                k[i] = matvec(layer(l, WeightNames.K_PROJ), n, c.family().qkvBias() ? vec(layer(l, WeightNames.K_BIAS)) : null);
                v[i] = matvec(layer(l, WeightNames.V_PROJ), n, c.family().qkvBias() ? vec(layer(l, WeightNames.V_BIAS)) : null);
                if (c.family().qkNorm()) {
                    headNorm(q[i], c.numHeads(), vec(layer(l, WeightNames.Q_NORM)));
                    headNorm(k[i], c.numKvHeads(), vec(layer(l, WeightNames.K_NORM)));
                }
                rope(q[i], c.numHeads(), i, inv);
                rope(k[i], c.numKvHeads(), i, inv);
            }
            int d = c.headDim();
            for (int i = 0; i < t; i++) {
                double[] attn = new double[c.qSize()];
                for (int head = 0; head < c.numHeads(); head++) {
                    int kvh = head / c.groupSize();
                    double[] s = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) dot += q[i][head * d + e] * k[j][kvh * d + e];
                        s[j] = dot / Math.sqrt(d);
                        max = Math.max(max, s[j]);
                    }
                    double total = 0;
                    for (int j = 0; j <= i; j++) total += s[j] = Math.exp(s[j] - max);
                    for (int j = 0; j <= i; j++) {
                        for (int e = 0; e < d; e++) attn[head * d + e] += s[j] / total * v[j][kvh * d + e];
                    }
                }
                double[] o = matvec(layer(l, WeightNames.O_PROJ), attn, null);
                for (int e = 0; e < h; e++) x[i][e] += o[e];
                double[] n = rms(x[i], vec(layer(l, WeightNames.MLP_NORM)));
                double[] g = matvec(layer(l, WeightNames.GATE_PROJ), n, null);
                double[] u = matvec(layer(l, WeightNames.UP_PROJ), n, null);
                for (int e = 0; e < g.length; e++) g[e] = g[e] / (1 + Math.exp(-g[e])) * u[e];
                double[] down = matvec(layer(l, WeightNames.DOWN_PROJ), g, null);
                for (int e = 0; e < h; e++) x[i][e] += down[e];
            }
        }
        WeightTensor head = w.has(WeightNames.LM_HEAD) ? w.tensor(WeightNames.LM_HEAD) : embed;
        double[][] out = new double[t][];
        for (int i = 0; i < t; i++) out[i] = matvec(head, rms(x[i], vec(w.tensor(WeightNames.FINAL_NORM))), null);
        return out;
    }

    private WeightTensor layer(int l, String suffix) { return w.tensor(WeightNames.layer(l, suffix)); }

    private static double[] row(WeightTensor t, int r) {
        int cols = (int) t.dim(1);
        double[] out = new double[cols];
        for (int i = 0; i < cols; i++) out[i] = t.getFloat((long) r * cols + i);
        return out;
    }

    private static double[] vec(WeightTensor t) {
        double[] out = new double[(int) t.elementCount()];
        for (int i = 0; i < out.length; i++) out[i] = t.getFloat(i);
        return out;
    }

    private static double[] matvec(WeightTensor m, double[] x, double[] bias) {
        int rows = (int) m.dim(0), cols = (int) m.dim(1);
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = bias == null ? 0 : bias[r];
            for (int i = 0; i < cols; i++) s += m.getFloat((long) r * cols + i) * x[i];
            out[r] = s;
        }
        return out;
    }

    private double[] rms(double[] x, double[] gamma) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double inv = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = gamma[i] * x[i] * inv;
        return out;
    }

    private void headNorm(double[] x, int heads, double[] gamma) {
        int d = c.headDim();
        for (int head = 0; head < heads; head++) {
            double[] part = java.util.Arrays.copyOfRange(x, head * d, head * d + d);
            System.arraycopy(rms(part, gamma), 0, x, head * d, d);
        }
    }

    private void rope(double[] x, int heads, int pos, float[] inv) {
        int d = c.headDim(), half = d / 2;
        for (int head = 0; head < heads; head++) {
            for (int i = 0; i < half; i++) {
                double a = pos * (double) inv[i];
                double x1 = x[head * d + i], x2 = x[head * d + i + half];
                x[head * d + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
                x[head * d + i + half] = x2 * Math.cos(a) + x1 * Math.sin(a);
            }
        }
    }
}
