package dev.aegaeon.runtime.model;

/**
 * The decoder-only families the engine implements. All share one transformer block; they differ
 * only in the switches below, so a new family is a new constant, not a new forward pass.
 */
public enum ModelFamily {
    /** Llama 2/3/3.1: no biases, optional "llama3" RoPE scaling. */
    LLAMA(false, false),
    /** Mistral: Llama's block (sliding window is ignored: prompts here stay within it). */
    MISTRAL(false, false),
    /** Qwen2 / Qwen2.5: q, k and v projections carry biases (hard-coded in HF, not in config). */
    QWEN2(true, false),
    /** Qwen3: RMSNorm per head on q and k before RoPE, explicit head_dim. */
    QWEN3(false, true);

    private final boolean qkvBias;
    private final boolean qkNorm;

    ModelFamily(boolean qkvBias, boolean qkNorm) {
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
    }

    public boolean qkvBias() { return qkvBias; }

    public boolean qkNorm() { return qkNorm; }
}
