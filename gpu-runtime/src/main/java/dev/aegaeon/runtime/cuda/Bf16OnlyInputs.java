package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.kernels.CudaOps;

/**
 * Products' inputs kept as their bf16 operand alone ({@link dev.aegaeon.runtime.cuda.config.CudaOptions#bf16OnlyInputs}).
 * The engine's normed rows and attention output are read only by matrix products
 * ({@code Backend#allocateProductInput}); where every product of that many rows reads the bf16
 * operand, the norm and the tensor-core prefill attention write only it, leaving the fp32 values
 * stale ({@link CudaTensor#ptr()} then refuses any other reader). At the 7B's 1,024 tokens that
 * skips an fp32 [tokens x hidden] write per norm, and the attention output's fp32 write and its
 * conversion to bf16 per layer.
 */
final class Bf16OnlyInputs {
    private final Bf16Operands bf16;
    private volatile boolean on;
    private long writes;

    Bf16OnlyInputs(Bf16Operands bf16, boolean on) {
        this.bf16 = bf16;
        this.on = on;
    }

    void setOn(boolean on) { this.on = on; }

    boolean on() { return on; }

    /** Writes that went to the bf16 operand alone, ever (tests and the bench check the path ran). */
    long writes() { return writes; }

    /**
     * Whether a write of {@code rows} rows into {@code out} may go to its bf16 operand alone: the
     * option on, a product-input tensor, and every product of these rows reading the fused bf16
     * operand. From 9 rows every path that takes the operand reads only it (cuBLASLt or the tiles);
     * below, a product cuBLASLt declines falls back to the GEMV on fp32 x.
     */
    static boolean applies(boolean option, boolean productInput, boolean fusedOperandRead, int rows) {
        return option && productInput && fusedOperandRead && rows > CudaOps.GEMV_MAX_ROWS;
    }

    /** Whether {@link #applies} for a write of {@code rows} rows into {@code out}; a caller that takes the path counts it by {@link #wrote}. */
    boolean appliesTo(CudaTensor out, int rows) {
        return applies(on, out.storage.productInput, bf16.fuses(rows, out.cols()), rows);
    }

    /** Marks {@code rows} rows of {@code out} written to its bf16 operand alone. */
    void wrote(CudaTensor out, int rows) {
        out.writtenBf16Only(rows);
        writes++;
    }
}
