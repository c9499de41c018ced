package dev.aegaeon.runtime.cuda.kernels;

import dev.aegaeon.runtime.cuda.config.CudaOptions;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

/**
 * Typed launches of the attention kernels (paged, GQA-aware and split-KV decode, prefill) and their
 * switches. Launches go through {@link CudaOps}'s launcher, so step graphs record them and the
 * profile times them; a switch flushes the recording graph first, because recorded launches keep
 * the kernel they were recorded with.
 */
public final class AttentionOps {
    private final CUfunction pagedAttention;
    private final GqaAttentionKernels gqa;
    private final DecodeKernels decodeKernels;
    private final PrefillAttentionKernels prefillKernels;
    private final DecodeKernels.Launcher launcher;
    private final Runnable flushGraphs;

    AttentionOps(KernelModules k, int multiprocessors, CudaOptions.GqaDecode gqaDecode, DecodeKernels decodeKernels,
                 PrefillAttentionKernels prefillKernels, DecodeKernels.Launcher launcher, Runnable flushGraphs) {
        this.pagedAttention = k.function("paged_attention");
        this.gqa = new GqaAttentionKernels(k, multiprocessors, gqaDecode);
        this.decodeKernels = decodeKernels;
        this.prefillKernels = prefillKernels;
        this.launcher = launcher;
        this.flushGraphs = flushGraphs;
    }

    /**
     * Paged attention of {@code tokens} query rows, each attending causally to its own sequence
     * (tokSeq[t], a row of blockTables) up to its position tokPos[t]. Any head size up to 256.
     */
    public void pagedAttention(CUstream s, CUdeviceptr q, int qRowStride, CUdeviceptr out, int outRowStride,
                               CUdeviceptr pool, long pageElems, int layer, int tokensPerPage, int numHeads,
                               int numKvHeads, int headDim, CUdeviceptr tokSeq, CUdeviceptr tokPos,
                               CUdeviceptr blockTables, int maxPages, int tokens, float scale) {
        if (headDim > 256) throw new IllegalArgumentException("head_dim " + headDim + " > 256 is not supported on CUDA");
        launcher.launch(pagedAttention, numHeads, tokens, 1, 512, 0, s, q, qRowStride, out, outRowStride, pool, pageElems,
                layer, tokensPerPage, numKvHeads, headDim, numHeads / numKvHeads, tokSeq, tokPos, blockTables,
                maxPages, scale);
    }

    /** When decode attention without the split takes the GQA-aware kernel ({@link CudaOptions#gqaDecode}). */
    public void setGqaDecode(CudaOptions.GqaDecode mode) {
        flushGraphs.run();
        gqa.setMode(mode);
    }

    public CudaOptions.GqaDecode gqaDecode() { return gqa.mode(); }

    /**
     * Decode attention, one query row per sequence: as {@link #pagedAttention}, or, where
     * {@link CudaOptions.GqaDecode} and the shape allow, the GQA-aware kernel that reads each key and value
     * row once for all query heads sharing it.
     */
    public void decodeAttention(CUstream s, CUdeviceptr q, int qRowStride, CUdeviceptr out, int outRowStride,
                                CUdeviceptr pool, long pageElems, int layer, int tokensPerPage, int numHeads,
                                int numKvHeads, int headDim, CUdeviceptr tokSeq, CUdeviceptr tokPos,
                                CUdeviceptr blockTables, int maxPages, int tokens, float scale) {
        decodeAttention(s, q, qRowStride, out, outRowStride, pool, pageElems, layer, tokensPerPage, numHeads, numKvHeads,
                headDim, tokSeq, tokPos, blockTables, maxPages, tokens, 0, scale, null);
    }

    /**
     * As above, first trying the attention split over keys ({@link DecodeKernels#splitAttention}),
     * which needs the step's longest context and the matrix-product workspace for its partials.
     */
    public void decodeAttention(CUstream s, CUdeviceptr q, int qRowStride, CUdeviceptr out, int outRowStride,
                                CUdeviceptr pool, long pageElems, int layer, int tokensPerPage, int numHeads,
                                int numKvHeads, int headDim, CUdeviceptr tokSeq, CUdeviceptr tokPos,
                                CUdeviceptr blockTables, int maxPages, int tokens, int maxContext, float scale,
                                CUdeviceptr workspace) {
        if (decodeKernels.splitAttention(launcher, s, q, qRowStride, out, outRowStride, pool, pageElems, layer,
                tokensPerPage, numHeads, numKvHeads, headDim, tokSeq, tokPos, blockTables, maxPages, tokens, maxContext,
                scale, workspace)) {
            return;
        }
        CUfunction f = gqa.select(numHeads, numKvHeads, headDim, pageElems, tokens);
        if (f == null) {
            pagedAttention(s, q, qRowStride, out, outRowStride, pool, pageElems, layer, tokensPerPage, numHeads,
                    numKvHeads, headDim, tokSeq, tokPos, blockTables, maxPages, tokens, scale);
            return;
        }
        launcher.launch(f, numKvHeads, tokens, 1, 256, 0, s, q, qRowStride, out, outRowStride, pool, pageElems,
                layer, tokensPerPage, numKvHeads, headDim, numHeads / numKvHeads, tokSeq, tokPos, blockTables, maxPages, scale);
    }

    /** Whether {@link #prefillAttention} (tensor cores) supports this head size. */
    public static boolean hasTensorCorePrefill(int headDim) { return PrefillAttentionKernels.supports(headDim); }

    /**
     * Prefill attention (head sizes 64, 128) on prefill_attention_mma.cu, the FlashAttention-2-style
     * kernel with S, P and O in registers, where loaded; otherwise attention.cu's wmma kernel
     * ({@link CudaOptions#prefillAttentionMma}).
     */
    public void setPrefillAttentionMma(boolean on) {
        flushGraphs.run();
        prefillKernels.setMma(on);
    }

    /** The prefill attention kernels and their switch. */
    public PrefillAttentionKernels prefillKernels() { return prefillKernels; }

    /**
     * Causal attention of one sequence's rows 0..tokens-1 at positions p0.. (keys already cached), into
     * fp32 {@code out}, or bf16 where {@code outBf16} (only where {@link PrefillAttentionKernels#takesMmaBf16Out}).
     */
    public void prefillAttention(CUstream s, CUdeviceptr q, int qRowStride, CUdeviceptr out, boolean outBf16, int outRowStride,
                                 CUdeviceptr pool, long pageElems, int layer, int tokensPerPage, int numHeads,
                                 int numKvHeads, int headDim, CUdeviceptr blockTable, int tokens, int p0, float scale) {
        prefillKernels.launch(launcher, s, q, qRowStride, out, outBf16, outRowStride, pool, pageElems, layer, tokensPerPage,
                numHeads, numKvHeads, headDim, blockTable, tokens, p0, scale);
    }
}
