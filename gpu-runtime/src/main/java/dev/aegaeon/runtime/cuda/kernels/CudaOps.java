package dev.aegaeon.runtime.cuda.kernels;

import dev.aegaeon.runtime.cuda.arch.DeviceLimits;
import dev.aegaeon.runtime.cuda.config.CudaOptions;
import dev.aegaeon.runtime.cuda.tiles.GemmTiles;
import dev.aegaeon.runtime.cuda.tiles.SplitKPolicy;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

import java.util.List;


/**
 * Typed launches of the kernels in src/main/cuda. Activations are fp32, weights, matrix-product
 * operands and the KV cache bf16; every op is asynchronous on the given stream. Shapes are the
 * caller's contract ({@link dev.aegaeon.runtime.cuda.CudaBackend} checks them); each op's CPU twin is the same op of the
 * CPU backend (see the conformance tests).
 */
public final class CudaOps {
    /** A null device pointer for optional operands (no bias, no delta). */
    public static final CUdeviceptr NONE = new CUdeviceptr();
    /** Batches up to this many rows take the GEMV path, which reads fp32 activations directly. */
    public static final int GEMV_MAX_ROWS = 8;

    private final int multiprocessors;
    private final CUfunction embedding, addRmsnorm, headRmsnorm, rope, siluMul, toBf16, gatherRows, kvWrite,
            fillUniform, splitkReduce, sample;
    /** Variants reading float32 weights (float32 checkpoints are not rounded to bf16). */
    private final CUfunction embeddingF32, addRmsnormF32, headRmsnormF32, linearF32, addBiasF32, addBiasBf16F32;
    /** Norm and silu_mul that also write their output as the next product's bf16 operand (elementwise.cu). */
    private final CUfunction addRmsnormBf16Out, addRmsnormBf16OutF32, siluMulBf16Out;
    /** silu_mul of bf16 gate and up into bf16 (the bf16 MLP, {@link CudaOptions#bf16Mlp}). */
    private final CUfunction siluMulBf16;
    private final DecodeKernels decodeKernels;
    private final AttentionOps attention;
    private final GemmTiles tiles;
    private final SplitKPolicy splitK;
    private final CudaOptions options = CudaOptions.current();
    private StepGraphs graphs = new StepGraphs(options.stepGraphs(), this::fuseGemvs);
    private final GemvKernels gemv;
    /** In recorded (graph) steps, merge up to three consecutive GEMVs of one input into one gemv_group launch. */
    private boolean fuseGemv = options.fuseGemv();
    private java.util.Map<CUfunction, String> kernelNames = java.util.Map.of();
    private LaunchProfile profile;
    /** Who runs the tensor-core products ({@link CudaOptions#gemmLibrary}); cuBLASLt is opened on first use. */
    private volatile CudaOptions.GemmLibrary gemmLibrary = options.gemmLibrary();
    /** Fewest rows of a product that cuBLASLt takes ({@link CudaOptions#cublasLtMinRows}). */
    private volatile int blasMinRows = options.cublasLtMinRows();
    /** The products cuBLASLt takes (opened on first use). */
    private final CublasLtRoute blas = new CublasLtRoute(() -> graphs, () -> profile);

    /** The kernels of {@code k}, launched within {@code limits} (grid sizes, shared memory, residency). */
    public CudaOps(KernelModules k, DeviceLimits limits) {
        this.multiprocessors = limits.multiprocessors();
        this.splitK = new SplitKPolicy(multiprocessors);
        embedding = k.function("embedding");
        embeddingF32 = k.function("embedding_f32");
        addRmsnormF32 = k.function("add_rmsnorm_f32");
        headRmsnormF32 = k.function("head_rmsnorm_f32");
        linearF32 = k.function("linear_f32");
        addBiasF32 = k.function("add_bias_f32");
        addBiasBf16F32 = k.function("add_bias_bf16_f32");
        addRmsnorm = k.function("add_rmsnorm");
        headRmsnorm = k.function("head_rmsnorm");
        rope = k.function("rope");
        siluMul = k.function("silu_mul");
        addRmsnormBf16Out = k.function("add_rmsnorm_bf16out");
        addRmsnormBf16OutF32 = k.function("add_rmsnorm_bf16out_f32");
        siluMulBf16Out = k.function("silu_mul_bf16out");
        siluMulBf16 = k.function("silu_mul_bf16");
        toBf16 = k.function("f32_to_bf16");
        gatherRows = k.function("gather_rows");
        kvWrite = k.function("kv_write");
        fillUniform = k.function("fill_uniform");
        decodeKernels = new DecodeKernels(k, limits, splitK.workspaceBytes());
        attention = new AttentionOps(k, multiprocessors, options.gqaDecode(), decodeKernels, new PrefillAttentionKernels(k, limits),
                this::launch3, () -> graphs.flush());
        splitkReduce = k.function("gemm_splitk_reduce");
        sample = k.function("sample_tokens");
        gemv = new GemvKernels(k, options.gemvWide(), options.gemvBlockRows());
        tiles = new GemmTiles(k, options, limits, () -> graphs.flush());
        kernelNames = k.loadedNames();
    }

    /** The GEMM tile registry and each row range's current kernel. */
    public GemmTiles tiles() { return tiles; }

    /** Starts timing every directly issued launch (see {@link LaunchProfile}). */
    public void startProfile() { profile = new LaunchProfile(kernelNames); }

    /** Device milliseconds per kernel since {@link #startProfile}, and stops profiling. */
    public java.util.Map<String, Double> stopProfile() {
        graphs.flush();
        java.util.Map<String, Double> t = profile == null ? java.util.Map.of() : profile.totalsMs();
        profile = null;
        return t;
    }

    private void launch(CUfunction f, int gx, int gy, int block, int smem, CUstream s, Object... args) {
        launch3(f, gx, gy, 1, block, smem, s, args);
    }

    /** Issues the launch now, or leaves it to the recording step graph (see {@link StepGraphs}). */
    private void launch3(CUfunction f, int gx, int gy, int gz, int block, int smem, CUstream s, Object... args) {
        StepGraphs.Launch l = new StepGraphs.Launch(f, gx, gy, gz, block, smem, s, args);
        if (graphs.offer(l)) {
            return;
        } else if (profile != null) {
            profile.before(f, s);
            StepGraphs.issue(l);
            profile.after(s);
        } else {
            StepGraphs.issue(l);
        }
    }

    /** The step-graph recorder of this device's launches. */
    public StepGraphs graphs() { return graphs; }

    /** Keeps up to {@code capacity} step graphs from now on (0: none), destroying the current ones. */
    public void useStepGraphs(int capacity, CUstream s) {
        if (capacity < 0) throw new IllegalArgumentException("step-graph capacity must be >= 0, got " + capacity);
        graphs.clear(s);
        graphs = new StepGraphs(capacity, this::fuseGemvs);
    }

    /** Batch-1 GEMVs (single and merged) on the wide kernels or the earlier ones. */
    public void setGemvWide(boolean on) {
        graphs.flush();  // recorded launches keep the kernel they were recorded with
        gemv.setWide(on);
    }

    /** Whether batch-1 GEMVs use the wide kernels ({@link CudaOptions#gemvWide}). */
    public boolean gemvWide() { return gemv.wide(); }

    /** GEMVs of 3..8 batch rows over this many rows of W per block ({@link CudaOptions#gemvBlockRows}). */
    public void setGemvBlockRows(int rows) {
        graphs.flush();
        gemv.setBlockRows(rows);
    }

    /** Rows of W per block of the 3..8-row GEMVs ({@link CudaOptions#gemvBlockRows}). */
    public int gemvBlockRows() { return gemv.blockRows(); }

    /** Whether recorded steps merge GEMVs of one input ({@link CudaOptions#fuseGemv}). */
    public void setFuseGemv(boolean on) {
        graphs.flush();
        fuseGemv = on;
    }

    private java.util.List<StepGraphs.Launch> fuseGemvs(java.util.List<StepGraphs.Launch> in) {
        return fuseGemv ? gemv.merger().merge(in) : in;
    }

    private static int rowThreads(int width) {
        return Math.min(1024, Math.max(32, (width + 31) / 32 * 32));
    }

    /** residualF32[t, :] = table[ids[t], :] for t < tokens; the table is bf16, or f32 when {@code f32Table}. */
    public void embedding(CUstream s, CUdeviceptr ids, CUdeviceptr table, boolean f32Table, CUdeviceptr residualF32,
                          int tokens, int hidden) {
        launch(f32Table ? embeddingF32 : embedding, tokens, 1, rowThreads(hidden / 4), 0, s, ids, table, residualF32, hidden);
    }

    /** residual += delta (unless delta is {@link #NONE}); out = rmsnorm(residual) * weight; all fp32. */
    public void addRmsNorm(CUstream s, CUdeviceptr residualF32, CUdeviceptr delta, CUdeviceptr weight, boolean f32Weight,
                           CUdeviceptr out, int tokens, int hidden, float eps) {
        launch(f32Weight ? addRmsnormF32 : addRmsnorm, tokens, 1, rowThreads(hidden / 4), 0, s, residualF32, delta, weight, out, hidden, eps);
    }

    /** As {@link #addRmsNorm}, also writing out's values as bf16 to {@code outBf16} ([tokens, hidden]) in the same pass. */
    public void addRmsNormBf16Out(CUstream s, CUdeviceptr residualF32, CUdeviceptr delta, CUdeviceptr weight,
                                  boolean f32Weight, CUdeviceptr out, CUdeviceptr outBf16, int tokens, int hidden,
                                  float eps) {
        launch(f32Weight ? addRmsnormBf16OutF32 : addRmsnormBf16Out, tokens, 1, rowThreads(hidden / 4), 0, s,
                residualF32, delta, weight, out, outBf16, hidden, eps);
    }

    /** Per-head RMSNorm in place on {@code heads} heads of each row (row stride in elements). */
    public void headRmsNorm(CUstream s, CUdeviceptr x, int rowStride, int tokens, int heads, int headDim,
                            CUdeviceptr weight, boolean f32Weight, float eps) {
        launch(f32Weight ? headRmsnormF32 : headRmsnorm, tokens, heads, 32, 0, s, x, rowStride, headDim, weight, eps);
    }

    /** RoPE in place on q heads and k heads (each with its own row stride); invFreq has headDim/2 floats. */
    public void rope(CUstream s, CUdeviceptr q, int qStride, CUdeviceptr k, int kStride, int tokens, int qHeads,
                     int kHeads, int headDim, CUdeviceptr positions, CUdeviceptr invFreq) {
        launch(rope, tokens, 1, 128, 0, s, q, qStride, k, kStride, qHeads, kHeads, headDim, positions, invFreq);
    }

    /** out = silu(gate) * up over n values; out may alias gate. */
    public void siluMul(CUstream s, CUdeviceptr gate, CUdeviceptr up, CUdeviceptr out, long n) {
        launch(siluMul, gridFor(n), 1, 256, 0, s, gate, up, out, n);
    }

    /** As {@link #siluMul}, also writing out's values as bf16 to {@code outBf16} in the same pass (four values per thread step). */
    public void siluMulBf16Out(CUstream s, CUdeviceptr gate, CUdeviceptr up, CUdeviceptr out, CUdeviceptr outBf16, long n) {
        launch(siluMulBf16Out, gridFor((n + 3) / 4), 1, 256, 0, s, gate, up, out, outBf16, n);
    }

    /** outBf16 = silu(gateBf16) * upBf16 over n bf16 values, computed in fp32 (eight values per thread step); out may alias gate. */
    public void siluMulBf16(CUstream s, CUdeviceptr gateBf16, CUdeviceptr upBf16, CUdeviceptr outBf16, long n) {
        launch(siluMulBf16, gridFor((n + 7) / 8), 1, 256, 0, s, gateBf16, upBf16, outBf16, n);
    }

    /** dst = bf16(src) over n values. */
    public void toBf16(CUstream s, CUdeviceptr src, CUdeviceptr dst, long n) {
        launch(toBf16, gridFor(n), 1, 256, 0, s, src, dst, n);
    }

    /** dst[i] = src[rows[i]] for i < count, rows of cols floats. */
    public void gatherRows(CUstream s, CUdeviceptr src, CUdeviceptr rows, CUdeviceptr dst, int count, int cols) {
        if (count > 0) launch(gatherRows, count, 1, rowThreads(cols / 4), 0, s, src, rows, dst, cols);
    }

    /** Stores fp32 K and V rows (kvDim wide) as bf16 at each token's slot; slot -1 is skipped. */
    public void kvWrite(CUstream s, CUdeviceptr k, CUdeviceptr v, int kvDim, CUdeviceptr pool, long pageElems,
                        int layer, int tokensPerPage, CUdeviceptr slots, int tokens) {
        if (tokens > 0) launch(kvWrite, tokens, 1, 128, 0, s, k, v, kvDim, pool, pageElems, layer, tokensPerPage, slots);
    }

    private int gridFor(long n) {
        return (int) Math.max(1, Math.min(multiprocessors * 16L, (n + 255) / 256));
    }

    public void fillUniform(CUstream s, CUdeviceptr x, long n, long seed, float scale, float offset) {
        int blocks = (int) Math.min(multiprocessors * 8L, Math.max(1, (n + 255) / 256));
        launch(fillUniform, blocks, 1, 256, 0, s, x, n, seed, scale, offset);
    }

    /**
     * out[m, :] = x[m, :] . W^T (+ bias): x [M, K], W [N, K], out [M, N] bf16 or f32. Batches up to
     * {@link #GEMV_MAX_ROWS} rows run the memory-bound GEMV on the fp32 rows {@code xF32} (each
     * weight read once; null {@code xF32}, where x has only its bf16 copy, is an IllegalStateException
     * on that path); larger ones the tensor-core GEMM on the bf16 copy {@code xBf16}, split
     * over K when M and N alone would leave multiprocessors idle (partials in workspace, which
     * needs {@link #matmulWorkspaceBytes()} bytes).
     */
    public void matmul(CUstream s, CUdeviceptr xF32, CUdeviceptr xBf16, CUdeviceptr w, CUdeviceptr bias, CUdeviceptr out,
                       boolean outF32, int m, int n, int k, CUdeviceptr workspace) {
        matmul(s, xF32, xBf16, w, bias, NONE, out, outF32, m, n, k, workspace);
    }

    /**
     * As {@link #matmul(CUstream, CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr, CUdeviceptr, boolean, int, int, int, CUdeviceptr)},
     * with {@code biasF32} an fp32 copy of the bf16 {@code bias} (or {@link #NONE}), which a product on
     * cuBLASLt adds in its epilogue where cuBLASLt takes no bf16 bias.
     */
    public void matmul(CUstream s, CUdeviceptr xF32, CUdeviceptr xBf16, CUdeviceptr w, CUdeviceptr bias, CUdeviceptr biasF32,
                       CUdeviceptr out, boolean outF32, int m, int n, int k, CUdeviceptr workspace) {
        CUdeviceptr x = xBf16;
        // cuBLASLt takes the products asked onto it that read the bf16 operand (not those the swap-AB kernel is set to take).
        if (x != null && productsOnCublasLt(m) && needsBf16Operand(m, k)) {
            CublasLtRoute.Outcome done = blas.product(s, x, w, bias, biasF32, out, outF32, m, n, k);
            if (done == CublasLtRoute.Outcome.RAN_BIAS_AFTER) addBiasBf16F32(s, out, bias, m, n);
            if (done != CublasLtRoute.Outcome.DECLINED) return;
        }
        if (xF32 == null && (m <= GEMV_MAX_ROWS || decodeKernels.takesSwapAb(m, k))) {
            // x held only as its bf16 operand (the bf16 MLP's gate): never hand a kernel a null fp32 x
            throw new IllegalStateException("a product of " + m + "x" + n + "x" + k
                    + " falls to a kernel reading fp32 x (GEMV or swap-AB), and x has only its bf16 operand");
        }
        if (decodeKernels.swapAb(this::launch3, s, xF32, w, bias, out, outF32, m, n, k, workspace)) return;
        if (m <= GEMV_MAX_ROWS) {
            x = xF32;
            launch(gemv.single(m), gemv.grid(m, n), 1, 256, 0, s, x, w, bias, out, outF32 ? 1 : 0, n, k);
            return;
        }
        GemmTiles.Tile t = tiles.forRows(m);
        int gx = (n + t.bn() - 1) / t.bn(), gy = (m + t.bm() - 1) / t.bm();
        int splits = splitK.splitsFor(gx * gy, m, k);
        int kPerSplit = ((k + splits - 1) / splits + 31) / 32 * 32;
        splits = (k + kPerSplit - 1) / kPerSplit;
        if (splits == 1) {
            launch3(t.fn(), gx, gy, 1, t.threads(), t.smem(), s, x, w, bias, out, outF32 ? 1 : 0, NONE, m, n, k, k);
        } else {
            launch3(t.fn(), gx, gy, splits, t.threads(), t.smem(), s, x, w, NONE, NONE, 0, workspace, m, n, k, kPerSplit);
            launch(splitkReduce, gridStrideBlocks((long) m * n), 1, 256, 0, s, workspace, splits, m, n, bias, out, outF32 ? 1 : 0);
        }
    }

    /**
     * outF32[m, :] += xBf16[m, :] . W^T on cuBLASLt (beta 1, no bias), enqueued or recorded as
     * {@link #matmul} would: the residual add in the product's epilogue. False, with nothing enqueued,
     * where a product of these rows is not asked onto cuBLASLt or it declines the shape; the caller
     * then runs the product and the add itself.
     */
    public boolean matmulAccumulateOnCublasLt(CUstream s, CUdeviceptr xBf16, CUdeviceptr w, CUdeviceptr outF32, int m, int n, int k) {
        return productsOnCublasLt(m) && needsBf16Operand(m, k) && blas.accumulate(s, xBf16, w, outF32, m, n, k);
    }

    /**
     * Two products of one bf16 x and equal shapes as one batched cuBLASLt call ({@link CublasLtRoute#pair}),
     * enqueued or recorded as {@link #matmul} would; false, nothing enqueued, where products of these
     * rows are not asked onto cuBLASLt or it declines (the caller runs the two products).
     */
    public boolean matmulPairOnCublasLt(CUstream s, CUdeviceptr xBf16, CUdeviceptr w0, CUdeviceptr w1, CUdeviceptr bias0,
                                        CUdeviceptr bias1, CUdeviceptr out0, CUdeviceptr out1, boolean outF32, int m, int n, int k) {
        return productsOnCublasLt(m) && needsBf16Operand(m, k) && blas.pair(s, xBf16, w0, w1, bias0, bias1, out0, out1, outF32, m, n, k);
    }

    /** Products on cuBLASLt that added into their output (the residual epilogue), ever. */
    public long cublasLtAccumulates() { return blas.accumulates(); }

    /** Runs the products on {@code library} from now on (tests, benchmarks); see {@link CudaOptions#gemmLibrary}. */
    public void setGemmLibrary(CudaOptions.GemmLibrary library) { gemmLibrary = library; }

    public CudaOptions.GemmLibrary gemmLibrary() { return gemmLibrary; }

    /** From now on, products of at least {@code rows} rows go to cuBLASLt when it is the library (1..9; benchmarks). */
    public void setCublasLtMinRows(int rows) {
        if (rows < 1 || rows > GEMV_MAX_ROWS + 1) throw new IllegalArgumentException("cublasLtMinRows must be in 1.." + (GEMV_MAX_ROWS + 1));
        blasMinRows = rows;
    }

    public int cublasLtMinRows() { return blasMinRows; }

    /** Whether a product of {@code m} rows is asked onto cuBLASLt (it may still decline the shape). */
    public boolean productsOnCublasLt(int m) {
        return gemmLibrary == CudaOptions.GemmLibrary.CUBLASLT && m >= blasMinRows;
    }

    /** Products cuBLASLt has run so far (0 when it is off or absent). */
    public long cublasLtProducts() { return blas.products(); }

    /** Products on cuBLASLt whose bias its epilogue added from an fp32 copy, ever. */
    public long cublasLtF32BiasEpilogues() { return blas.f32BiasEpilogues(); }

    /**
     * out[m, :] = xF32[m, :] . wF32^T (+ bias) for m < rows, everything fp32 (float32 checkpoints);
     * the bias is f32 when {@code f32Bias}, else bf16, or {@link #NONE}.
     */
    public void linearF32(CUstream s, CUdeviceptr xF32, CUdeviceptr wF32, CUdeviceptr bias, boolean f32Bias,
                          CUdeviceptr outF32, int rows, int n, int k) {
        if (rows == 0) return;
        launch(linearF32, (n + 7) / 8, rows, 256, 0, s, xF32, wF32, bias, f32Bias ? 1 : 0, outF32, n, k);
    }

    /** outF32[m, n] += biasF32[n]: an f32 bias after a bf16-weight product. */
    public void addBiasF32(CUstream s, CUdeviceptr outF32, CUdeviceptr biasF32, int rows, int n) {
        long total = (long) rows * n;
        if (total == 0) return;
        launch(addBiasF32, gridStrideBlocks(total), 1, 256, 0, s, outF32, biasF32, rows, n);
    }

    /** outF32[m, n] += biasBf16[n]: the bias of a product cuBLASLt ran without its epilogue. */
    private void addBiasBf16F32(CUstream s, CUdeviceptr outF32, CUdeviceptr biasBf16, int rows, int n) {
        launch(addBiasBf16F32, gridStrideBlocks((long) rows * n), 1, 256, 0, s, outF32, biasBf16, rows, n);
    }

    /** Blocks of 256 threads for a grid-stride kernel over {@code elements}: enough to fill the SMs four times over. */
    private int gridStrideBlocks(long elements) {
        return (int) Math.min(4L * multiprocessors, (elements + 255) / 256);
    }

    /** See {@link SplitKPolicy#setWaves}. */
    public void setSplitKWaves(int waves) { splitK.setWaves(waves); }

    /** Bytes of the matrix-product workspace: the split-K partials, then the swap-AB kernel's counters. */
    public long matmulWorkspaceBytes() {
        return splitK.workspaceBytes() + DecodeKernels.COUNTER_BYTES;
    }

    /**
     * Zeroes the workspace's arrival counters once, when it is allocated (the swap-AB kernel's last
     * block of a row range resets its counter, so they stay zero between launches). Synchronous:
     * not for the hot path.
     */
    public void prepareWorkspace(CUdeviceptr workspace) {
        decodeKernels.clearCounters(workspace.withByteOffset(splitK.workspaceBytes()));
    }

    /** Whether a product of {@code m} rows reads the bf16 copy of x (the tensor-core tiles) rather than fp32 x. */
    public boolean needsBf16Operand(int m, int k) {
        return m > GEMV_MAX_ROWS ? !decodeKernels.takesSwapAb(m, k) : productsOnCublasLt(m);
    }

    /** The attention kernels' launches and switches. */
    public AttentionOps attention() { return attention; }

    /** The new decode kernels' switches (swap-AB products, split-KV decode attention). */
    public DecodeKernels decodeKernels() { return decodeKernels; }

    /** Products of 9..128 rows on the swap-AB kernel or the tensor-core tiles ({@link CudaOptions#swapAbDecode}). */
    public void setSwapAbDecode(boolean on) {
        graphs.flush();
        decodeKernels.setSwapAb(on);
    }

    /** The fewest rows that take the swap-AB kernel ({@link CudaOptions#swapAbMinRows}). */
    public void setSwapAbMinRows(int rows) {
        graphs.flush();
        decodeKernels.setSwapAbMinRows(rows);
    }

    /** The most rows that take the swap-AB kernel ({@link CudaOptions#swapAbMaxRows}). */
    public void setSwapAbMaxRows(int rows) {
        graphs.flush();
        decodeKernels.setSwapAbMaxRows(rows);
    }

    /** The swap-AB kernels' deep variants for 17..128 rows, or the base ones ({@link CudaOptions#swapAbDeep}). */
    public void setSwapAbDeep(boolean on) {
        graphs.flush();
        decodeKernels.setSwapAbDeep(on);
    }

    /** Decode attention split over keys, or the earlier kernels ({@link CudaOptions#splitKvDecode}). */
    public void setSplitKvDecode(boolean on) {
        graphs.flush();
        decodeKernels.setSplitKv(on);
    }

    /** The split attention's first pass on tensor cores where the shape allows ({@link CudaOptions#splitKvMma}). */
    public void setSplitKvMma(boolean on) {
        graphs.flush();
        decodeKernels.setSplitKvMma(on);
    }

    /**
     * One token id per logits row (f32 [rows, vocab]): greedy where temperature <= 0, else
     * temperature, top-k (0 = off), top-p (1 = off) and the row's uniform draw (double), as the
     * engine's HostSampler picks.
     */
    public void sample(CUstream s, CUdeviceptr logitsF32, int rows, int vocab, CUdeviceptr temperature,
                       CUdeviceptr topK, CUdeviceptr topP, CUdeviceptr uniform, CUdeviceptr outIds) {
        launch(sample, rows, 1, 1024, 0, s, logitsF32, vocab, temperature, topK, topP, uniform, outIds);
    }
}
