package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.weights.DType;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;

/**
 * The bf16 copy of an activation tensor that the tensor-core products read ("operand"): kept per
 * tensor storage, current for a given version and row count of the fp32 values. It is either
 * converted once per write of the tensor, or written by the norm or silu_mul that produced the
 * tensor in the same pass ("fused", {@code aegaeon.cuda.fusedBf16Operands}), or it alone holds the
 * values (the bf16 MLP's gate, {@code aegaeon.cuda.bf16Mlp}; bf16-only product inputs,
 * {@code aegaeon.cuda.bf16OnlyInputs}; the fp32 values are then stale).
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

    /**
     * The bf16 copy of x's rows, converted once per write of x; never from stale fp32 values (after
     * a bf16-only write): asking such a tensor for more rows than its copy holds is an IllegalStateException.
     */
    CUdeviceptr of(CudaTensor x) {
        CudaTensor.Storage st = x.storage;
        boolean current = st.shadowVersion == st.version && st.shadowRows >= x.rows();
        if (!current && st.fp32Stale) {
            throw new IllegalStateException("the bf16 operand of a " + x.rows() + "x" + st.cols + " tensor holds "
                    + st.shadowRows + " rows and its fp32 values are stale (aegaeon.cuda.bf16Mlp or bf16OnlyInputs): nothing to convert from");
        }
        CUdeviceptr shadow = shadow(st);
        if (!current) {
            ops.toBf16(compute, x.ptr(), shadow, (long) x.rows() * st.cols);
            st.shadowVersion = st.version;
            st.shadowRows = x.rows();
        }
        return shadow;
    }

    /**
     * The first {@code rows} rows of a storage whose bf16 copy alone holds its values (stale fp32),
     * widened to fp32 on the host: synchronous, for read-backs (tests), after the caller synchronised.
     */
    void copyToHost(CudaTensor.Storage st, int rows, float[] dst) {
        if (rows > st.shadowRows) {
            throw new IllegalStateException("copy of " + rows + " rows of a tensor whose bf16 operand alone holds "
                    + st.shadowRows + " rows (its fp32 values are stale: aegaeon.cuda.bf16Mlp or bf16OnlyInputs)");
        }
        short[] bits = new short[rows * st.cols];
        cuMemcpyDtoH(Pointer.to(bits), st.bf16Shadow.ptr(), 2L * bits.length);
        for (int i = 0; i < bits.length; i++) dst[i] = DType.bf16ToFloat(bits[i]);
    }

    /** The storage's bf16 copy ([capacity rows x cols]), allocated on first use; its contents are the caller's. */
    CUdeviceptr shadow(CudaTensor.Storage st) {
        if (st.bf16Shadow == null) {
            st.bf16Shadow = dev.arena().allocateOrThrow(Math.max(2L, 2L * st.capacityRows * st.cols), "bf16 operand");
        }
        return st.bf16Shadow.ptr();
    }
}
