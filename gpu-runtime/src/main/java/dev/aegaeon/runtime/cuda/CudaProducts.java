package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.backend.Weight;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * The backend's matrix products: {@code out = x . w^T (+ bias)} on the path the weight, the row
 * count and the options choose (fp32 kernels for fp32 checkpoints; GEMV, our tiles or cuBLASLt for
 * bf16 weights). Queues on the compute stream; shapes are checked by {@link #check} before a call.
 */
final class CudaProducts {
    private final CudaOps ops;
    private final Bf16Operands bf16;
    private final CudaWeights weights;
    private final CUstream compute;
    private final CUdeviceptr workspace;

    CudaProducts(CudaOps ops, Bf16Operands bf16, CudaWeights weights, CUstream compute, CUdeviceptr workspace) {
        this.ops = ops;
        this.bf16 = bf16;
        this.weights = weights;
        this.compute = compute;
        this.workspace = workspace;
    }

    static void check(String op, CudaTensor x, Weight w, CudaTensor out) {
        if (x.cols() != w.cols() || out.cols() != w.rows()) {
            throw new IllegalArgumentException(op + ": x " + x.cols() + " cols, w " + w.rows() + "x" + w.cols()
                    + ", out " + out.cols() + " cols");
        }
    }

    /**
     * out = x . w^T (+ bias) into fp32 or bf16 {@code out} (bf16 only without a bias). x is read as
     * its bf16 operand where the product takes it; where x's fp32 values are stale (the bf16 MLP's
     * gate) nothing reads them: x.ptr() refuses, and CudaOps.matmul refuses a null fp32 x.
     */
    void run(CudaTensor xi, CudaWeight w, CudaWeight bias, CUdeviceptr out, boolean outF32) {
        if (!outF32 && bias != null) throw new IllegalArgumentException("a bias on a bf16 output");
        CUdeviceptr wp = weights.use(w), bp = bias == null ? CudaOps.NONE : weights.use(bias);
        boolean f32Bias = bias != null && bias.isF32();
        if (w.isF32()) {
            if (!outF32) throw new IllegalArgumentException("an fp32 weight's product into bf16");
            ops.linearF32(compute, xi.ptr(), wp, bp, f32Bias, out, xi.rows(), w.rows(), w.cols());
        } else {
            CUdeviceptr xb = ops.needsBf16Operand(xi.rows(), w.cols()) ? bf16.of(xi) : null;
            CUdeviceptr xf = xi.storage.fp32Stale && xb != null ? null : xi.ptr();
            // cuBLASLt adds a bf16 bias in its epilogue only from an fp32 copy
            CUdeviceptr bf32 = bias != null && !f32Bias && ops.productsOnCublasLt(xi.rows()) ? weights.f32Copy(bias) : CudaOps.NONE;
            ops.matmul(compute, xf, xb, wp, f32Bias ? CudaOps.NONE : bp, bf32, out, outF32, xi.rows(), w.rows(), w.cols(),
                    workspace);
            if (f32Bias) ops.addBiasF32(compute, out, bp, xi.rows(), w.rows());
        }
    }
}
