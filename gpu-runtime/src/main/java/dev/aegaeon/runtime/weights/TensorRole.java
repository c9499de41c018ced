package dev.aegaeon.runtime.weights;

/** What a tensor does in the block; decides the value range synthetic weights get. */
public enum TensorRole {
    /** Token embedding or LM head: [vocab, hidden]. */
    EMBEDDING,
    /** A linear projection's weight matrix [out, in]. */
    PROJECTION,
    /** An RMSNorm gain vector (trained values sit near 1). */
    NORM,
    /** A projection bias vector (Qwen2 q/k/v). */
    BIAS
}
