package dev.aegaeon.runtime.engine;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.RopeScaling;

/** RoPE inverse frequencies as HF computes them, including Llama 3.1's "llama3" rescaling. */
public final class RotaryFrequencies {
    private RotaryFrequencies() {}

    public static float[] inverse(ModelConfig config) {
        int dim = config.headDim();
        float[] inv = new float[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            // HF: 1 / base ** (arange(0, dim, 2).float() / dim), in fp32
            float exponent = (float) (2 * i) / dim;
            inv[i] = (float) (1.0 / (float) Math.pow(config.ropeTheta(), exponent));
        }
        if (config.ropeScaling() instanceof RopeScaling.Llama3 l3) applyLlama3(inv, l3);
        return inv;
    }

    /** HF {@code _compute_llama3_parameters}: long wavelengths slowed by factor, a smooth band between. */
    private static void applyLlama3(float[] inv, RopeScaling.Llama3 s) {
        double lowFreqWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
        double highFreqWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            float scaled = wavelen > lowFreqWavelen ? (float) (inv[i] / s.factor()) : inv[i];
            boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
            if (medium) {
                double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                scaled = (float) ((1 - smooth) * scaled / s.factor() + smooth * scaled);
            }
            inv[i] = scaled;
        }
    }
}
