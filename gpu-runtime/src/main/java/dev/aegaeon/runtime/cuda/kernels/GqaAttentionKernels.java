package dev.aegaeon.runtime.cuda.kernels;

import dev.aegaeon.runtime.cuda.config.CudaOptions;
import jcuda.driver.CUfunction;

import java.util.Objects;

/**
 * The GQA-aware decode attention kernels of attention.cu (one block per KV head serving its query
 * heads, each key and value row read once) and when decode attention takes them instead of the
 * per-query-head paged kernel ({@link CudaOptions.GqaDecode}).
 */
final class GqaAttentionKernels {
    private final CUfunction g2, g4, g8, g4Hd256;
    private final int multiprocessors;
    private volatile CudaOptions.GqaDecode mode;

    GqaAttentionKernels(KernelModules k, int multiprocessors, CudaOptions.GqaDecode mode) {
        g2 = k.function("paged_attention_gqa_g2");
        g4 = k.function("paged_attention_gqa_g4");
        g8 = k.function("paged_attention_gqa_g8");
        g4Hd256 = k.function("paged_attention_gqa_g4_hd256");
        this.multiprocessors = multiprocessors;
        this.mode = mode;
    }

    CudaOptions.GqaDecode mode() { return mode; }

    void setMode(CudaOptions.GqaDecode mode) { this.mode = Objects.requireNonNull(mode); }

    /** The kernel for this decode step's shape under the current mode, or null for the paged kernel. */
    CUfunction select(int numHeads, int numKvHeads, int headDim, long pageElems, int tokens) {
        int group = numHeads / numKvHeads;
        CUfunction f = null;
        if (headDim % 4 == 0 && pageElems % 4 == 0 && numHeads % numKvHeads == 0) {
            if (headDim <= 128) f = group <= 2 ? g2 : group <= 4 ? g4 : group <= 8 ? g8 : null;
            else if (headDim <= 256 && group <= 4) f = g4Hd256;
        }
        boolean use = f != null && (mode == CudaOptions.GqaDecode.ALWAYS
                || (mode == CudaOptions.GqaDecode.AUTO && (long) tokens * numKvHeads >= multiprocessors));
        return use ? f : null;
    }
}
