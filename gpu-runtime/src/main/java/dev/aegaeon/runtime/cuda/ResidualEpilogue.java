package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * A block's output projection added to the residual stream in cuBLASLt's epilogue
 * ({@link dev.aegaeon.runtime.cuda.config.CudaOptions#residualEpilogue}, experimental). The default
 * sequence writes the product to a scratch tensor, and the norm reads it and the residual, writes
 * the residual back and then its output: here the product reads and writes the residual itself
 * (beta 1, in place, the same fp32 sum), and the norm reads only the residual. Per norm of the 7B
 * at 1,024 tokens that is two fp32 [tokens x hidden] passes fewer.
 */
final class ResidualEpilogue {
    private final CudaOps ops;
    private final Bf16Operands bf16;
    private final CUstream compute;
    private volatile boolean on;

    ResidualEpilogue(CudaOps ops, Bf16Operands bf16, CUstream compute, boolean on) {
        this.ops = ops;
        this.bf16 = bf16;
        this.compute = compute;
        this.on = on;
    }

    void setOn(boolean on) { this.on = on; }

    boolean on() { return on; }

    /**
     * Whether the product can go to cuBLASLt's epilogue: the option on, a bf16 weight, and a product of
     * these rows asked onto cuBLASLt reading x's bf16 operand (cuBLASLt may still decline the shape).
     */
    static boolean applies(boolean option, boolean bf16Weight, boolean productsOnCublasLt, boolean readsBf16Operand) {
        return option && bf16Weight && productsOnCublasLt && readsBf16Operand;
    }

    /**
     * Enqueues {@code residual += x . w^T} and answers true, or answers false, enqueuing nothing, where
     * the path does not apply or cuBLASLt declines (the caller runs the default sequence). On true the
     * residual's fp32 values are written and nothing else is; the caller norms it.
     */
    boolean addInto(CudaTensor x, CudaWeight w, CUdeviceptr weight, CudaTensor residual) {
        int rows = x.rows();
        if (!applies(on, !w.isF32(), ops.productsOnCublasLt(rows), ops.needsBf16Operand(rows, w.cols()))) return false;
        if (!ops.matmulAccumulateOnCublasLt(compute, bf16.of(x), weight, residual.ptr(), rows, w.rows(), w.cols())) return false;
        residual.written();
        return true;
    }
}
