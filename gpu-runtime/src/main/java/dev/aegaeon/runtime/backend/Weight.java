package dev.aegaeon.runtime.backend;

import dev.aegaeon.runtime.weights.DType;

/**
 * A model parameter resident where the backend computes: a matrix {@code [rows x cols]} (linear
 * weights are {@code [out x in]} as HF stores them) or a vector ({@code rows == 1}) for norms and
 * biases. Stored in its checkpoint dtype (bf16/f16/f32); ops widen to fp32 as they read.
 * Invariant: immutable after {@link Backend#loadWeight}; valid until the backend is closed.
 */
public interface Weight {

    int rows();

    int cols();

    DType dtype();

    /** Bytes of storage this weight occupies on the backend. */
    long byteSize();
}
