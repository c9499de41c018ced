package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * Two products of one input and one weight shape as one strided-batched cuBLASLt call
 * ({@link dev.aegaeon.runtime.cuda.config.CudaOptions#pairedProducts}, experimental): k and v,
 * and the bf16 MLP's gate and up. A GQA model's k and v are narrow (512 outputs on the 7B), so
 * alone each fills few multiprocessors; gate and up each end on a partly filled wave. One call of
 * both gives the library twice the tiles to schedule. Applies where the pair reads x's bf16 operand
 * on cuBLASLt, with bf16 weights and no bias or a bias on both (the epilogue takes fp32 copies on
 * fp32 outputs, as single products do); otherwise the caller runs the two products.
 */
final class PairedProducts {
    private final CudaOps ops;
    private final Bf16Operands bf16;
    private final CudaWeights weights;
    private final CUstream compute;
    private volatile boolean on;
    private long pairs;

    PairedProducts(CudaOps ops, Bf16Operands bf16, CudaWeights weights, CUstream compute, boolean on) {
        this.ops = ops;
        this.bf16 = bf16;
        this.weights = weights;
        this.compute = compute;
        this.on = on;
    }

    void setOn(boolean on) { this.on = on; }

    boolean on() { return on; }

    /** Pairs run as one call, ever (tests and the bench check the path ran). */
    long pairs() { return pairs; }

    /**
     * {@code out0 = x . w0^T (+ bias0)}, {@code out1 = x . w1^T (+ bias1)} as one call: true, or
     * false with nothing queued where the pair does not apply or cuBLASLt declines it. Shapes are the
     * caller's to check; the outputs' written state too.
     */
    boolean run(CudaTensor x, CudaWeight w0, CudaWeight bias0, CUdeviceptr out0, CudaWeight w1, CudaWeight bias1,
                CUdeviceptr out1, boolean outF32) {
        int rows = x.rows(), k = w0.cols();
        if (!on || w0.isF32() || w1.isF32() || w0.rows() != w1.rows() || w0.cols() != w1.cols()) return false;
        if ((bias0 == null) != (bias1 == null) || (bias0 != null && !outF32)) return false;
        if (!ops.productsOnCublasLt(rows) || !ops.needsBf16Operand(rows, k)) return false;
        CUdeviceptr b0 = CudaOps.NONE, b1 = CudaOps.NONE;
        if (bias0 != null) {
            b0 = bias0.isF32() ? weights.use(bias0) : weights.f32Copy(bias0);
            b1 = bias1.isF32() ? weights.use(bias1) : weights.f32Copy(bias1);
        }
        CUdeviceptr xb = bf16.of(x);
        if (!ops.matmulPairOnCublasLt(compute, xb, weights.use(w0), weights.use(w1), b0, b1, out0, out1, outF32,
                rows, w0.rows(), k)) {
            return false;
        }
        pairs++;
        return true;
    }
}
