package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.RopeScaling;

/**
 * RoPE inverse frequencies as HF computes them ({@code _compute_default_rope_parameters} and
 * {@code _compute_llama3_parameters}); the rope kernel takes them as a table, so scaling variants
 * never reach device code.
 */
public final class RopeFrequencies {
    private RopeFrequencies() {}

    public static float[] invFreq(ModelConfig c) {
        int d = c.headDim();
        float[] f = new float[d / 2];
        for (int i = 0; i < d / 2; i++) f[i] = (float) (1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / d));
        if (c.ropeScaling() instanceof RopeScaling.Llama3 s) {
            double lowWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
            double highWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
            for (int i = 0; i < f.length; i++) {
                double inv = f[i], wavelen = 2 * Math.PI / inv;
                double scaled = wavelen > lowWavelen ? inv / s.factor() : inv;
                if (!(wavelen < highWavelen) && !(wavelen > lowWavelen)) {
                    double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                            / (s.highFreqFactor() - s.lowFreqFactor());
                    scaled = (1 - smooth) * scaled / s.factor() + smooth * scaled;
                }
                f[i] = (float) scaled;
            }
        }
        return f;
    }
}
