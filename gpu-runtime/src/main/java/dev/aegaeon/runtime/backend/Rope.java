package dev.aegaeon.runtime.backend;

/**
 * Rotary position embedding of one model, created once by {@link Backend#createRope} from the inverse
 * frequencies (already rescaled for Llama 3.1 "llama3" scaling). HF's NeoX layout: element
 * {@code i} of a head rotates with element {@code i + headDim/2}.
 */
public interface Rope {

    int headDim();
}
