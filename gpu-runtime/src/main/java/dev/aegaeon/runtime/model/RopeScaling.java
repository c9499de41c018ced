package dev.aegaeon.runtime.model;

/**
 * RoPE frequency scaling. {@link None} is plain RoPE; {@link Llama3} is Llama 3.1's
 * wavelength-dependent rescaling (HF {@code _compute_llama3_parameters}).
 */
public sealed interface RopeScaling {

    record None() implements RopeScaling {}

    record Llama3(double factor, double lowFreqFactor, double highFreqFactor,
                  int originalMaxPositionEmbeddings) implements RopeScaling {}

    RopeScaling NONE = new None();
}
