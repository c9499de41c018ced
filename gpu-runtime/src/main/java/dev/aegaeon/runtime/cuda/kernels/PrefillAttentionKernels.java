package dev.aegaeon.runtime.cuda.kernels;

import dev.aegaeon.runtime.cuda.arch.DeviceLimits;
import dev.aegaeon.runtime.cuda.config.CudaOptions;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUstream;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;

/**
 * The tensor-core causal prefill attention kernels for head sizes 64 and 128, which share one
 * argument list and grid (ceil(tokens / 64), heads) x 128 threads: attention.cu's wmma kernel
 * (S and O through shared memory; 8.9 ms of a 1,024-token 7B prefill on the H100) and, switched on
 * by {@link CudaOptions#prefillAttentionMma} (experimental), prefill_attention_mma.cu's
 * FlashAttention-2-style kernel (S, P and O in registers). The second is optional: where its
 * module did not load, the first serves.
 */
public final class PrefillAttentionKernels {
    private final CUfunction wmma64, wmma128;
    /** Null where prefill_attention_mma.cu did not load. */
    private final CUfunction mma64, mma128;
    /** The same writing bf16 rows alone; null where not loaded (images older than the kernel). */
    private final CUfunction mmaBf16Out64, mmaBf16Out128;
    private volatile boolean mma = CudaOptions.current().prefillAttentionMma();

    /** The wmma kernels must fit {@code limits}' shared memory (they do from 8.0 on); an mma one that does not is absent. */
    PrefillAttentionKernels(KernelModules k, DeviceLimits limits) {
        wmma64 = withSmem(k.function("prefill_attention_hd64"), limits.requireShared("prefill_attention_hd64", wmmaSmem(64)));
        wmma128 = withSmem(k.function("prefill_attention_hd128"), limits.requireShared("prefill_attention_hd128", wmmaSmem(128)));
        CUfunction f64 = k.optionalFunction("prefill_attention_mma_hd64");
        CUfunction f128 = k.optionalFunction("prefill_attention_mma_hd128");
        mma64 = f64 == null || !limits.fitsShared(mmaSmem(64)) ? null : withSmem(f64, mmaSmem(64));
        mma128 = f128 == null || !limits.fitsShared(mmaSmem(128)) ? null : withSmem(f128, mmaSmem(128));
        CUfunction b64 = mma64 == null ? null : k.optionalFunction("prefill_attention_mma_bf16out_hd64");
        CUfunction b128 = mma128 == null ? null : k.optionalFunction("prefill_attention_mma_bf16out_hd128");
        mmaBf16Out64 = b64 == null ? null : withSmem(b64, mmaSmem(64));
        mmaBf16Out128 = b128 == null ? null : withSmem(b128, mmaSmem(128));
    }

    static boolean supports(int headDim) { return headDim == 64 || headDim == 128; }

    void setMma(boolean on) { mma = on; }

    public boolean mmaEnabled() { return mma; }

    /** Whether prefill_attention_mma.cu has a loaded kernel for {@code headDim}. */
    public boolean loaded(int headDim) { return (headDim == 64 ? mma64 : headDim == 128 ? mma128 : null) != null; }

    /** Whether a launch for {@code headDim} takes prefill_attention_mma.cu now (switched on and loaded). */
    public boolean takesMma(int headDim) { return mmaKernel(headDim) != null; }

    /** Whether a launch for {@code headDim} can write bf16 rows now (prefill_attention_mma.cu on, its bf16-output kernel loaded). */
    public boolean takesMmaBf16Out(int headDim) { return mmaBf16OutKernel(headDim) != null; }

    private CUfunction mmaBf16OutKernel(int headDim) {
        if (!mma) return null;
        return headDim == 64 ? mmaBf16Out64 : headDim == 128 ? mmaBf16Out128 : null;
    }

    private CUfunction mmaKernel(int headDim) {
        if (!mma) return null;
        return headDim == 64 ? mma64 : headDim == 128 ? mma128 : null;
    }

    /** {@code outBf16}: {@code out} holds bf16 rows, which only the bf16-output kernel writes (an IllegalStateException where it cannot run). */
    void launch(DecodeKernels.Launcher launcher, CUstream s, CUdeviceptr q, int qRowStride, CUdeviceptr out, boolean outBf16,
                int outRowStride, CUdeviceptr pool, long pageElems, int layer, int tokensPerPage, int numHeads,
                int numKvHeads, int headDim, CUdeviceptr blockTable, int tokens, int p0, float scale) {
        if (!supports(headDim)) throw new IllegalArgumentException("no tensor-core prefill for head_dim " + headDim);
        if (outBf16 && mmaBf16OutKernel(headDim) == null) {
            throw new IllegalStateException("no bf16-output prefill attention for head_dim " + headDim + " (prefillAttentionMma off or not loaded)");
        }
        CUfunction f = outBf16 ? mmaBf16OutKernel(headDim) : mmaKernel(headDim);
        int smem = f != null ? mmaSmem(headDim) : wmmaSmem(headDim);
        if (f == null) f = headDim == 64 ? wmma64 : wmma128;
        launcher.launch(f, (tokens + 63) / 64, numHeads, 1, 128, smem, s, q, qRowStride, out, outRowStride, pool,
                pageElems, layer, tokensPerPage, numKvHeads, numHeads / numKvHeads, blockTable, tokens, p0, scale);
    }

    private static CUfunction withSmem(CUfunction f, int bytes) {
        cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
        return f;
    }

    /** attention.cu: K and V tiles, then S, P and O per warp. */
    static int wmmaSmem(int hd) {
        int ldk = hd + 8, ldo = hd + 4;
        return 2 * 64 * ldk * 2 + 4 * 16 * 68 * 4 + 4 * 16 * 72 * 2 + 4 * 16 * ldo * 4;
    }

    /** prefill_attention_mma.cu: 2 stages x 64 keys x (K, V) x (HD + 8) bf16 (36,864 / 69,632 bytes). */
    static int mmaSmem(int hd) { return 2 * 64 * 2 * (hd + 8) * 2; }
}
