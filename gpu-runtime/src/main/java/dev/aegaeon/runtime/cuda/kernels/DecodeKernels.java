package dev.aegaeon.runtime.cuda.kernels;

import dev.aegaeon.runtime.cuda.arch.DeviceLimits;
import dev.aegaeon.runtime.cuda.config.CudaOptions;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUstream;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuMemsetD8;

/**
 * Launch geometry, workspace layout and on/off switches of the decode kernels in gemm_decode.cu
 * (swap-AB tensor-core products for 9..128 rows) and decode_attention.cu (attention split over
 * keys, GQA; its first pass optionally on tensor cores, decode_attention_mma.cu). Both read their
 * scratch space from the caller's matrix-product workspace, which is used by one op at a time on
 * one stream: the swap-AB partials and the attention partials start at its offset 0 (as the
 * split-K tiles' partials do), the swap-AB arrival counters sit after the split-K part
 * ({@code counterOffset}) and must be zero before the first launch ({@link #clearCounters}); the
 * kernel keeps them zero.
 */
public final class DecodeKernels {
    /** One int per row range of 64 or 128 weight rows: products of up to 4096 ranges may split K. */
    static final int MAX_COUNTERS = 4096;
    static final long COUNTER_BYTES = 4L * MAX_COUNTERS;
    private static final int MAX_SPLITS = 16;
    /** Keys per tile of the split attention kernel; chunks are multiples of it. */
    private static final int KEY_TILE = 16;

    /** Issues or records a launch (CudaOps.launch3). */
    @FunctionalInterface
    interface Launcher {
        void launch(CUfunction f, int gx, int gy, int gz, int block, int smem, CUstream s, Object... args);
    }

    /**
     * A swap-AB instantiation: up to {@code maxRows} batch rows, {@code rowsPerBlock} W rows per
     * block, {@code inFlightBytes} of weights loaded per block per loop iteration.
     */
    private record SwapAb(CUfunction fn, int maxRows, int rowsPerBlock, int residentPerSm, int inFlightBytes) {}

    /** A split attention instantiation: groups up to {@code maxGroup}, head sizes up to {@code maxHeadDim}. */
    private record Split(CUfunction fn, int maxGroup, int maxHeadDim, int residentPerSm) {}

    /** A tensor-core split instantiation: exactly {@code headDim}, groups up to 8, {@code smem} dynamic bytes. */
    private record SplitMma(CUfunction fn, int headDim, int residentPerSm, int smem) {
        static final int MAX_GROUP = 8;
    }

    private final int multiprocessors;
    private final long splitKBytes;
    private final SwapAb[] swapAbs, deepSwapAbs;
    private final Split[] splits;
    private final SplitMma[] splitMmas;
    private final CUfunction combine;
    private volatile boolean swapAb = CudaOptions.current().swapAbDecode();
    private volatile boolean swapAbDeep = CudaOptions.current().swapAbDeep();
    private volatile int swapAbMinRows = checkedMinRows(CudaOptions.current().swapAbMinRows());
    private volatile int swapAbMaxRows = checkedMaxRows(CudaOptions.current().swapAbMaxRows());
    private volatile boolean splitKv = CudaOptions.current().splitKvDecode();
    private volatile boolean splitKvMma = CudaOptions.current().splitKvMma();

    DecodeKernels(KernelModules k, DeviceLimits limits, long splitKBytes) {
        this.multiprocessors = limits.multiprocessors();
        this.splitKBytes = splitKBytes;
        // Residency: the register bound from ptxas (nvcc 13.0, sm_90), capped by this GPU's threads
        // and shared memory per SM. 128 / 128 / 127 / 168 / 255 registers x 128 threads.
        swapAbs = new SwapAb[] {
            swapAb(k, limits, "gemm_swapab_n1", 8, 128, 4, 32 << 10),
            swapAb(k, limits, "gemm_swapab_n2", 16, 128, 4, 32 << 10),
            swapAb(k, limits, "gemm_swapab_n4", 32, 128, 4, 16 << 10),
            swapAb(k, limits, "gemm_swapab_n8", 64, 128, 3, 16 << 10),
            swapAb(k, limits, "gemm_swapab_n16", 128, 64, 2, 8 << 10)};
        // 168 / 255 / 255 registers.
        deepSwapAbs = new SwapAb[] {
            swapAbs[0],
            swapAbs[1],
            swapAb(k, limits, "gemm_swapab_deep_n4", 32, 128, 3, 32 << 10),
            swapAb(k, limits, "gemm_swapab_deep_n8", 64, 128, 2, 32 << 10),
            swapAb(k, limits, "gemm_swapab_deep_n16", 128, 64, 2, 16 << 10)};
        // 64 / 72 / 93 / 128 / 167 registers x 128 threads (shared memory 3-22 KB: not the limit).
        splits = new Split[] {
            new Split(k.function("decode_attention_split_g1"), 1, 128, limits.residentBlocks(8, 128, 0)),
            new Split(k.function("decode_attention_split_g2"), 2, 128, limits.residentBlocks(7, 128, 0)),
            new Split(k.function("decode_attention_split_g4"), 4, 128, limits.residentBlocks(5, 128, 0)),
            new Split(k.function("decode_attention_split_g8"), 8, 128, limits.residentBlocks(4, 128, 0)),
            new Split(k.function("decode_attention_split_g4_hd256"), 4, 256, limits.residentBlocks(3, 128, 0))};
        combine = k.function("decode_attention_combine");
        // 96 / 141 registers x 128 threads; 4 warps x 2 stages x K and V sub-tiles of 16 x (HD + 8)
        // bf16: 36 / 68 KB dynamic shared memory (the 128 one opts in above 48 KB): 5 / 3 blocks per
        // SM on an H100, fewer where an SM has less shared memory (A100 2, L4 1 for head size 128).
        splitMmas = new SplitMma[] {
            splitMma(k, limits, 64, 5), splitMma(k, limits, 128, 3)};
    }

    private static SwapAb swapAb(KernelModules k, DeviceLimits limits, String name, int maxRows, int rowsPerBlock,
                                 int registerBound, int inFlightBytes) {
        return new SwapAb(k.function(name), maxRows, rowsPerBlock, limits.residentBlocks(registerBound, 128, 0), inFlightBytes);
    }

    private static SplitMma splitMma(KernelModules k, DeviceLimits limits, int headDim, int registerBound) {
        int smem = splitMmaShared(headDim);
        CUfunction f = k.function("decode_attention_split_mma_hd" + headDim);
        cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, limits.requireShared("decode_attention_split_mma_hd" + headDim, smem));
        return new SplitMma(f, headDim, limits.residentBlocks(registerBound, 128, smem), smem);
    }

    /** Dynamic shared memory of the tensor-core split pass, as the .cu: warps x stages x (K, V) x rows x (HD + 8) bf16. */
    static int splitMmaShared(int headDim) { return 4 * 2 * 2 * 16 * (headDim + 8) * 2; }

    public boolean swapAbEnabled() { return swapAb; }

    public boolean splitKvEnabled() { return splitKv; }

    public boolean splitKvMmaEnabled() { return splitKvMma; }

    public boolean swapAbDeepEnabled() { return swapAbDeep; }

    void setSwapAbDeep(boolean on) { swapAbDeep = on; }

    public int swapAbMinRows() { return swapAbMinRows; }

    void setSwapAbMinRows(int rows) { swapAbMinRows = checkedMinRows(rows); }

    public int swapAbMaxRows() { return swapAbMaxRows; }

    void setSwapAbMaxRows(int rows) { swapAbMaxRows = checkedMaxRows(rows); }

    private static int checkedMaxRows(int rows) {
        if (rows < 2 || rows > 128) throw new IllegalArgumentException("swap-AB max rows must be in 2..128, got " + rows);
        return rows;
    }

    private static int checkedMinRows(int rows) {
        if (rows < 2 || rows > 129) throw new IllegalArgumentException("swap-AB min rows must be in 2..129, got " + rows);
        return rows;
    }

    /** Callers flush recorded step graphs first (CudaOps does). */
    void setSwapAb(boolean on) { swapAb = on; }

    void setSplitKv(boolean on) { splitKv = on; }

    /** Callers flush recorded step graphs first (CudaOps does). */
    void setSplitKvMma(boolean on) { splitKvMma = on; }

    private volatile int forcedChunkKeys;

    /** Tests: keys per attention chunk instead of the size policy's choice (0: the policy). */
    public void forceChunkKeys(int keys) {
        if (keys < 0 || keys % KEY_TILE != 0) throw new IllegalArgumentException("chunk keys must be a multiple of " + KEY_TILE + ", got " + keys);
        forcedChunkKeys = keys;
    }

    /** Zeroes the arrival counters after {@code counters} (synchronous; once per workspace). */
    void clearCounters(CUdeviceptr counters) {
        cuMemsetD8(counters, (byte) 0, COUNTER_BYTES);
    }

    /** Whether a product of m rows and inner size k goes to the swap-AB kernel. */
    boolean takesSwapAb(int m, int k) {
        return swapAb && m >= swapAbMinRows && m <= swapAbMaxRows && k % 8 == 0;
    }

    private SwapAb swapAbFor(int m) {
        for (SwapAb v : swapAbDeep ? deepSwapAbs : swapAbs) if (m <= v.maxRows) return v;
        throw new IllegalStateException("no swap-AB kernel for " + m + " rows");
    }

    /**
     * out[m, :] = xF32[m, :] . W^T (+ bf16 bias) on the swap-AB kernel, if {@link #takesSwapAb};
     * returns false (nothing launched) otherwise. Splits K when the row ranges alone leave
     * multiprocessors idle and a workspace is given; the kernel reduces the splits itself.
     */
    boolean swapAb(Launcher l, CUstream s, CUdeviceptr xF32, CUdeviceptr w, CUdeviceptr bias, CUdeviceptr out,
                   boolean outF32, int m, int n, int k, CUdeviceptr workspace) {
        if (!takesSwapAb(m, k)) return false;
        SwapAb v = swapAbFor(m);
        int gx = (n + v.rowsPerBlock - 1) / v.rowsPerBlock;
        int splits = workspace == null || gx > MAX_COUNTERS ? 1
                : splitsFor(gx, v.residentPerSm * multiprocessors, m, k, v.rowsPerBlock, v.inFlightBytes);
        while (splits > 1 && 4L * splits * m * n > splitKBytes) splits--;
        int kPerSplit = ((k + splits - 1) / splits + 31) / 32 * 32;
        splits = (k + kPerSplit - 1) / kPerSplit;
        CUdeviceptr ws = workspace == null ? CudaOps.NONE : workspace;
        CUdeviceptr counters = workspace == null ? CudaOps.NONE : workspace.withByteOffset(splitKBytes);
        l.launch(v.fn, gx, splits, 1, 128, 0, s, xF32, w, bias, out, outF32 ? 1 : 0, m, n, k, kPerSplit, ws, counters);
        return true;
    }

    /** Modelled HBM bandwidth, latency of a loaded load, and one SM's read rate from L2 (bytes/s, s). */
    private static final double HBM = 3.0e12, LOAD_LATENCY = 1.5e-6, SM_L2_READ = 150e9;

    /**
     * Splits of K for {@code blocks} row ranges of {@code rows} weight rows with {@code slots}
     * resident blocks on the GPU: the fewest within 3% of the least modelled time. A block streams
     * its weights at min(its bytes in flight / load latency, HBM / blocks running); with splits,
     * the last block of a range then reads every split's partial tile alone (the serial tail).
     */
    public static int splitsFor(int blocks, int slots, int m, int k, int rows, int inFlightBytes) {
        int cap = Math.max(1, Math.min(MAX_SPLITS, k / 256));
        double[] time = new double[cap + 1];
        double best = Double.MAX_VALUE;
        for (int s = 1; s <= cap; s++) {
            int kPerSplit = ((k + s - 1) / s + 31) / 32 * 32;
            int splits = (k + kPerSplit - 1) / kPerSplit;
            long total = (long) blocks * splits;
            long waves = (total + slots - 1) / slots;
            double perBlock = Math.min(inFlightBytes / LOAD_LATENCY, HBM / Math.min(total, slots));
            time[s] = waves * (2.0 * rows * kPerSplit) / perBlock
                    + (splits == 1 ? 0 : 4.0 * splits * m * rows / SM_L2_READ);
            best = Math.min(best, time[s]);
        }
        for (int s = 1; s <= cap; s++) if (time[s] <= best * 1.03) return s;
        return 1;
    }

    /**
     * Decode attention split over keys, if enabled and the shape allows (head size a multiple of 8
     * up to 128 with group <= 8, or up to 256 with group <= 4; aligned rows; partials fit the
     * workspace); returns false (nothing launched) otherwise. With {@link CudaOptions#splitKvMma}
     * on, head sizes 64 and 128 take the tensor-core first pass (same partials, same combine).
     * {@code maxContext} (the longest sequence this step) sizes the chunks (about two waves of blocks), rounded up to a power of
     * two so a growing context keeps its step graph; the grid covers the block tables' capacity and surplus chunks exit at once.
     */
    boolean splitAttention(Launcher l, CUstream s, CUdeviceptr q, int qRowStride, CUdeviceptr out, int outRowStride,
                           CUdeviceptr pool, long pageElems, int layer, int tokensPerPage, int numHeads, int numKvHeads,
                           int headDim, CUdeviceptr tokSeq, CUdeviceptr tokPos, CUdeviceptr blockTables, int maxPages,
                           int tokens, int maxContext, float scale, CUdeviceptr workspace) {
        if (!splitKv || workspace == null || tokens == 0 || numHeads % numKvHeads != 0) return false;
        if (headDim % 8 != 0 || pageElems % 8 != 0 || qRowStride % 4 != 0) return false;
        int group = numHeads / numKvHeads;
        Split v = null;
        for (Split c : splits) {
            if (group <= c.maxGroup && headDim <= c.maxHeadDim) { v = c; break; }
        }
        if (v == null) return false;
        SplitMma mma = splitKvMma ? splitMmaFor(group, headDim) : null;
        CUfunction fn = mma != null ? mma.fn : v.fn;
        int residentPerSm = mma != null ? mma.residentPerSm : v.residentPerSm;
        int smem = mma != null ? mma.smem : 0;
        // Two waves of resident blocks: a block holds one tile of K/V in flight, so one block per
        // slot would leave HBM idle while each walks its chunk; more chunks cost only partials.
        long perBlockKeys = Math.max(1, (long) Math.max(1, maxContext) * numKvHeads * tokens
                / (2L * residentPerSm * multiprocessors));
        int chunkKeys = KEY_TILE;
        while (chunkKeys < perBlockKeys) chunkKeys <<= 1;
        if (forcedChunkKeys > 0) chunkKeys = forcedChunkKeys;
        long capacity = Math.max((long) maxPages * tokensPerPage, maxContext);
        int maxChunks;
        while (true) {
            maxChunks = (int) ((capacity + chunkKeys - 1) / chunkKeys);
            long bytes = 4L * tokens * numHeads * maxChunks * (headDim + 2);
            if (bytes <= splitKBytes) break;
            if (chunkKeys >= (1 << 24)) return false;
            chunkKeys <<= 1;  // still a multiple of the tile
        }
        CUdeviceptr partAcc = workspace;
        CUdeviceptr partMl = workspace.withByteOffset(4L * tokens * numHeads * maxChunks * headDim);
        l.launch(fn, maxChunks, numKvHeads, tokens, 128, smem, s, q, qRowStride, pool, pageElems, layer, tokensPerPage,
                numKvHeads, headDim, group, tokSeq, tokPos, blockTables, maxPages, scale, chunkKeys, maxChunks,
                partAcc, partMl);
        l.launch(combine, numHeads, tokens, 1, 128, 0, s, partAcc, partMl, out, outRowStride, numHeads, headDim, tokPos,
                chunkKeys, maxChunks);
        return true;
    }

    /** Whether, with the split and its tensor-core pass on, a shape of this group and head size takes that pass. */
    public boolean takesSplitMma(int group, int headDim) {
        return splitKv && splitKvMma && splitMmaFor(group, headDim) != null;
    }

    /** The tensor-core first pass for this shape, or null (the shuffle kernels take it). */
    private SplitMma splitMmaFor(int group, int headDim) {
        if (group > SplitMma.MAX_GROUP) return null;
        for (SplitMma m : splitMmas) if (m.headDim == headDim) return m;
        return null;
    }
}
