package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * The MLP's activation with bf16 in between ({@link dev.aegaeon.runtime.cuda.config.CudaOptions#bf16Mlp}).
 * The fp32 path writes gate and up as fp32 [rows x intermediate], and silu_mul reads
 * both to write fp32 and the bf16 operand that the down product alone reads. Here the gate and up
 * products write bf16 (fp32 accumulation; on cuBLASLt, else on our tiles) straight into gate's and
 * up's bf16 operands, and silu_mul_bf16 turns them into the down product's operand in gate's: a
 * third of the bytes. Gate's (and up's) fp32 values are then stale ({@link CudaTensor#ptr()}).
 */
final class Bf16Mlp {
    /** {@code out = x . w^T} as the backend's linear computes it, into fp32 or bf16 {@code out}. */
    interface Product {
        void into(CudaTensor x, CudaWeight w, CUdeviceptr out, boolean outF32);
    }

    /** Both products into bf16 outputs as one call: true, or false with nothing queued (then two products run). */
    interface Pair {
        boolean into(CudaTensor x, CudaWeight w0, CUdeviceptr out0, CudaWeight w1, CUdeviceptr out1);
    }

    private final CudaOps ops;
    private final Bf16Operands bf16;
    private final CUstream compute;
    private volatile boolean on;
    private long activations;

    Bf16Mlp(CudaOps ops, Bf16Operands bf16, CUstream compute, boolean on) {
        this.ops = ops;
        this.bf16 = bf16;
        this.compute = compute;
        this.on = on;
    }

    void setOn(boolean on) { this.on = on; }

    boolean on() { return on; }

    /** Activations that took this path, ever (tests and the bench check it ran). */
    long activations() { return activations; }

    /**
     * Whether the bf16 path applies. The down product must read gate's bf16 operand whatever
     * happens: from 9 rows every path that takes the operand reads only it, while below a product
     * cuBLASLt declines falls back to the GEMV on fp32 x. bf16 weights only (float32 checkpoints run
     * fp32 products).
     */
    static boolean applies(boolean option, boolean fusedOperands, boolean productsOnCublasLt, boolean downReadsBf16,
                           int rows, boolean bf16Weights) {
        return option && fusedOperands && productsOnCublasLt && downReadsBf16 && rows > CudaOps.GEMV_MAX_ROWS && bf16Weights;
    }

    /**
     * Runs the activation of x's rows into gate's bf16 operand and answers true, or answers false,
     * queuing nothing, where the path does not apply (the caller runs the fp32 sequence). Shapes are
     * the caller's to check.
     */
    boolean run(CudaTensor x, CudaWeight gateW, CudaWeight upW, CudaTensor gate, CudaTensor up, Product product, Pair pair) {
        int rows = x.rows(), intermediate = gateW.rows();
        if (!applies(on, bf16.fused(), ops.productsOnCublasLt(rows), ops.needsBf16Operand(rows, intermediate), rows,
                !gateW.isF32() && !upW.isF32())) {
            return false;
        }
        CUdeviceptr g = bf16.shadow(gate.storage), u = bf16.shadow(up.storage);
        if (!pair.into(x, gateW, g, upW, u)) {
            product.into(x, gateW, g, false);
            product.into(x, upW, u, false);
        }
        ops.siluMulBf16(compute, g, u, g, (long) rows * intermediate);
        gate.writtenBf16Only(rows);
        up.writtenBf16Only(rows); // x . upW^T as bf16: unspecified by the contract, yet not stale garbage
        activations++;
        return true;
    }
}
