package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * The bf16 copy of an activation tensor that the tensor-core products read ("operand"): kept per
 * tensor storage, current for a given version and row count of the fp32 values. It is either
 * converted once per write of the tensor, or written by the norm or silu_mul that produced the
 * tensor in the same pass ("fused", {@code aegaeon.cuda.fusedBf16Operands}).
 */
final class Bf16Operands {
    private final CudaDevice dev;
    private final CudaOps ops;
    private final CUstream compute;
    private volatile boolean fused;

    Bf16Operands(CudaDevice dev, CUstream compute, boolean fused) {
        this.dev = dev;
        this.ops = dev.ops();
        this.compute = compute;
        this.fused = fused;
    }

    /** Whether the op writing a [rows x cols] product input also writes its bf16 operand. */
    boolean fuses(int rows, int cols) {
        return fused && ops.needsBf16Operand(rows, cols);
    }

    void setFused(boolean on) { fused = on; }

    boolean fused() { return fused; }

    /** Marks {@code t} written, its bf16 copy (just written by the same kernel) current for {@code rows} rows. */
    static void writtenWithBf16(CudaTensor t, int rows) {
        t.written();
        t.storage.shadowVersion = t.storage.version;
        t.storage.shadowRows = rows;
    }

    /** The bf16 copy of x's rows, converted once per write of x. */
    CUdeviceptr of(CudaTensor x) {
        CudaTensor.Storage st = x.storage;
        CUdeviceptr shadow = shadow(st);
        if (st.shadowVersion != st.version || st.shadowRows < x.rows()) {
            ops.toBf16(compute, x.ptr(), shadow, (long) x.rows() * st.cols);
            st.shadowVersion = st.version;
            st.shadowRows = x.rows();
        }
        return shadow;
    }

    /** The storage's bf16 copy ([capacity rows x cols]), allocated on first use; its contents are the caller's. */
    CUdeviceptr shadow(CudaTensor.Storage st) {
        if (st.bf16Shadow == null) {
            st.bf16Shadow = dev.arena().allocateOrThrow(Math.max(2L, 2L * st.capacityRows * st.cols), "bf16 operand");
        }
        return st.bf16Shadow.ptr();
    }
}
