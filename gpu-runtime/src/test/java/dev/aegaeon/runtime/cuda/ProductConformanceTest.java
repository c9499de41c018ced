package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.config.CudaOptions;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.weights.DType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static dev.aegaeon.runtime.cuda.TwinBackends.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The CUDA backend's matrix products against the CPU backend's, as {@link BackendConformanceTest}
 * does for the other ops (fresh random inputs, CUDA outputs poisoned with NaN first): the GEMVs,
 * every tensor-core kernel of each row range (9-64, 65-128, more than 128; split-K included), the
 * swap-AB decode kernel and float32 checkpoints. Skips without a GPU.
 */
@RequiresCuda
class ProductConformanceTest {
    static TwinBackends b;
    final Random rnd = new Random(System.nanoTime());

    @BeforeAll
    static void open() { b = TwinBackends.openOrSkip(); }

    @AfterAll
    static void close() { TwinBackends.close(b); }

    /** GEMV (up to 8 rows), tensor-core tiles, split-K, K not a multiple of 8, with and without bias. */
    @ParameterizedTest
    @CsvSource({"1, 3584, 3584, true", "2, 777, 1000, false", "5, 300, 4104, true", "8, 4608, 3584, true",
        "3, 65, 70, false", "16, 512, 3584, false", "64, 3584, 3584, true", "100, 600, 2048, true",
        "300, 1000, 512, false", "129, 130, 99, true", "33, 257, 18944, false"})
    void linear(int m, int n, int k, boolean withBias) {
        productMatchesTheCpu("linear " + m + "x" + n + "x" + k, m, n, k, withBias);
    }

    /** Every candidate kernel for products of 9 to 64 rows (decode batches), split-K included. */
    @ParameterizedTest
    @ValueSource(strings = {"gemm_64x64", "gemm_64x128", "gemm_64x64_k64", "gemm_128x64",
            "gemm_mma_128x128_k64", "gemm_mma_128x256_k64", "gemm_mma_128x128_k32", "gemm_wgmma_128x256", "gemm_wgmma_128x128"})
    void smallTileProducts(String tile) {
        CudaOps ops = b.cuda.device().ops();
        tileProducts(tile, ops.tiles().smallNames(), ops.tiles()::smallName, ops.tiles()::useSmall,
                new int[][] {{64, 3584, 3584}, {9, 130, 99}, {33, 512, 3584}, {64, 700, 18944}, {17, 1000, 264}, {33, 257, 18944}});
    }

    /** Every candidate kernel for products of 65 to 128 rows (decode batches, short prefills), split-K included. */
    @ParameterizedTest
    @ValueSource(strings = {"gemm_128x64", "gemm_mma_128x128_k64", "gemm_mma_128x256_k64", "gemm_mma_128x128_k32",
            "gemm_wgmma_128x256", "gemm_wgmma_128x128"})
    void midTileProducts(String tile) {
        CudaOps ops = b.cuda.device().ops();
        tileProducts(tile, ops.tiles().midNames(), ops.tiles()::midName, ops.tiles()::useMid,
                new int[][] {{128, 3584, 3584}, {97, 130, 99}, {65, 257, 18944}, {100, 1000, 264}, {128, 512, 768}});
    }

    /** {@code tile} selected for its row range (swap-AB off: the tiles themselves), then {@link #productsMatchTheCpu}; restores both. */
    private void tileProducts(String tile, java.util.Set<String> loaded, java.util.function.Supplier<String> current,
                              java.util.function.Consumer<String> use, int[][] shapes) {
        Assumptions.assumeTrue(loaded.contains(tile), tile + " is not loaded on this device");
        CudaOps ops = b.cuda.device().ops();
        String before = current.get();
        boolean swapAbBefore = ops.decodeKernels().swapAbEnabled();
        try {
            ops.setSwapAbDecode(false);
            use.accept(tile);
            productsMatchTheCpu(tile, shapes);
        } finally {
            use.accept(before);
            ops.setSwapAbDecode(swapAbBefore);
        }
    }

    /**
     * The swap-AB tensor-core kernel (gemm_decode.cu): every instantiation (up to 8, 16, 32, 64,
     * 128 rows; base and deep variants; 2..8 rows with aegaeon.cuda.swapAbMinRows lowered), with and without split K (the last block reduces), ragged N and K,
     * bias or none; each variant twice, so a counter a launch failed to reset would leave the
     * next output unwritten (poisoned). K % 8 != 0 takes the tiles (fallback) and must agree too.
     */
    @ParameterizedTest
    @CsvSource({"9, 130, 104, true", "16, 3584, 3584, false", "17, 512, 3584, true", "32, 1000, 264, true",
        "33, 700, 18944, false", "64, 3584, 3584, true", "64, 512, 3584, false", "65, 600, 2048, true",
        "128, 3584, 3584, false", "100, 257, 4096, true", "40, 300, 99, true", "2, 3584, 3584, true",
        "5, 512, 3584, false", "8, 18944, 3584, true", "8, 1000, 264, false"})
    void swapAbDecodeProducts(int m, int n, int k, boolean withBias) {
        CudaOps ops = b.cuda.device().ops();
        boolean before = ops.decodeKernels().swapAbEnabled(), deepBefore = ops.decodeKernels().swapAbDeepEnabled();
        int minRowsBefore = ops.decodeKernels().swapAbMinRows(), maxRowsBefore = ops.decodeKernels().swapAbMaxRows();
        try {
            ops.setSwapAbDecode(true);
            ops.setSwapAbMinRows(2);  // rows 2..8 too (gemm_swapab_n1)
            ops.setSwapAbMaxRows(128);
            for (int rep = 0; rep < 4; rep++) {
                ops.setSwapAbDeep(rep >= 2);  // base variants twice, then the deep ones twice
                productMatchesTheCpu("swap-AB " + (rep >= 2 ? "deep " : "") + "linear " + m + "x" + n + "x" + k + " #" + rep, m, n, k, withBias);
            }
        } finally {
            ops.setSwapAbDecode(before);
            ops.setSwapAbDeep(deepBefore);
            ops.setSwapAbMinRows(minRowsBefore);
            ops.setSwapAbMaxRows(maxRowsBefore);
        }
    }

    /**
     * Batch-1 products on both GEMV kernels (gemv.cu's wide one, with predicated loads past K, and
     * gemv_m1): 7B shapes, ragged N, K not a multiple of 8 or of 256, bias or none.
     */
    @ParameterizedTest
    @CsvSource({"true, 3584, 3584, true", "true, 512, 18944, false", "true, 777, 1000, true", "true, 65, 70, false",
        "true, 130, 264, true", "false, 3584, 3584, true", "false, 777, 1000, false", "false, 130, 264, true"})
    void batchOneGemvKernels(boolean wide, int n, int k, boolean withBias) {
        CudaOps ops = b.cuda.device().ops();
        boolean before = ops.gemvWide();
        try {
            ops.setGemvWide(wide);
            b.assertLinearMatches(rnd, (wide ? "gemv_wide_m1 " : "gemv_m1 ") + n + "x" + k, 1, n, k, withBias, 1e-5);
        } finally {
            ops.setGemvWide(before);
        }
    }

    /**
     * The GEMVs of 3..8 batch rows over 2, 4 and 8 weight rows per block (gemv.cu's gemv_mM and
     * gemv_rR_mM): N not a multiple of the rows per block, N smaller than one block, K not a
     * multiple of 8 or of 2,048, 7B shapes; bias or none.
     */
    @ParameterizedTest
    @CsvSource({"3, 4, 777, 1000, true", "8, 4, 3584, 3584, true", "5, 4, 13, 264, false",
        "3, 8, 777, 1000, false", "4, 8, 5, 70, true", "6, 8, 512, 18944, false", "7, 8, 130, 264, true",
        "8, 8, 3584, 3584, true", "8, 8, 18944, 3584, false", "8, 2, 777, 1000, true"})
    void blockGemvKernels(int m, int rows, int n, int k, boolean withBias) {
        CudaOps ops = b.cuda.device().ops();
        int before = ops.gemvBlockRows();
        boolean swapAbBefore = ops.decodeKernels().swapAbEnabled();
        try {
            ops.setSwapAbDecode(false);  // 8 rows take swap-AB by default
            ops.setGemvBlockRows(rows);
            b.assertLinearMatches(rnd, "gemv " + rows + " rows per block, " + m + "x" + n + "x" + k, m, n, k, withBias, 1e-5);
        } finally {
            ops.setGemvBlockRows(before);
            ops.setSwapAbDecode(swapAbBefore);
        }
    }

    /**
     * Three GEMVs of one x recorded in a step and merged into one gemv_group launch (as the
     * decode step's q/k/v are) give each product the CPU's result, at every block-rows variant:
     * the merged grid must count each segment's blocks as the kernel that runs lays them out.
     */
    @ParameterizedTest
    @CsvSource({"5, 2", "5, 4", "8, 8", "3, 8"})
    void mergedGemvGroupsMatchTheCpu(int m, int rows) {
        CudaOps ops = b.cuda.device().ops();
        int before = ops.gemvBlockRows();
        boolean swapAbBefore = ops.decodeKernels().swapAbEnabled();
        int k = 264;
        int[] ns = {777, 64, 13};
        try {
            ops.setSwapAbDecode(false);
            ops.setGemvBlockRows(rows);
            ops.setFuseGemv(true);
            var x = b.tensor(random(rnd, m * k, 1), m, k);
            var outs = new TwinBackends.Pair[ns.length];
            var ws = new TwinBackends.WeightPair[ns.length];
            var biases = new TwinBackends.WeightPair[ns.length];
            for (int i = 0; i < ns.length; i++) {  // every upload and poison before the recording starts
                ws[i] = b.weight("w" + i, random(rnd, ns[i] * k, 0.05), ns[i], k);
                biases[i] = b.weight("b" + i, random(rnd, ns[i], 1), ns[i]);
                outs[i] = b.empty(m, ns[i]);
                b.cpu.linear(x.cpu(), ws[i].cpu(), biases[i].cpu(), outs[i].cpu());
            }
            ops.graphs().begin(b.cuda.device().computeStream());
            for (int i = 0; i < ns.length; i++) b.cuda.linear(x.cuda(), ws[i].cuda(), biases[i].cuda(), outs[i].cuda());
            ops.graphs().flush();
            for (int i = 0; i < ns.length; i++) b.assertClose("merged gemv " + rows + " rows per block, segment " + i, outs[i], m, 1e-5);
        } finally {
            ops.setGemvBlockRows(before);
            ops.setSwapAbDecode(swapAbBefore);
            ops.setFuseGemv(CudaOptions.current().fuseGemv());
        }
    }

    /**
     * Every candidate kernel for products of more than 128 rows (prefill), at ragged and 7B sizes:
     * M, N and K off the tile (K = 99 not even a multiple of 8), whole tiles without split-K (256 x 512 x 768),
     * and grids small enough to split K (257 x 300 x 18944). Candidates this device did not load
     * (the sm_90a module elsewhere than on Hopper) or excluded by property are skipped.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gemm_128x128", "gemm_128x256", "gemm_256x128", "gemm_128x128_k64", "gemm_128x256_k64",
            "gemm_mma_128x128_k64", "gemm_mma_128x256_k64", "gemm_mma_128x128_k32", "gemm_wgmma_128x256", "gemm_wgmma_128x128"})
    void largeTileProducts(String tile) {
        CudaOps ops = b.cuda.device().ops();
        Assumptions.assumeTrue(ops.tiles().largeNames().contains(tile), tile + " is not loaded on this device");
        String before = ops.tiles().largeName();
        try {
            ops.tiles().useLarge(tile);
            productsMatchTheCpu(tile, new int[][] {{300, 1000, 512}, {129, 130, 99}, {260, 3584, 3584}, {1000, 600, 264},
                    {257, 300, 18944}, {256, 512, 768}, {257, 301, 18944}});
        } finally {
            ops.tiles().useLarge(before);
        }
    }

    /** linear with bias on fresh random [m, k] x [n, k] for each {m, n, k}: the CUDA output (poisoned first) within 1e-5 of the CPU's. */
    private void productsMatchTheCpu(String label, int[][] shapes) {
        for (int[] s : shapes) productMatchesTheCpu(label + " linear " + s[0] + "x" + s[1] + "x" + s[2], s[0], s[1], s[2], true);
    }

    /** linear on fresh random [m, k] x [n, k] (+ bias): the CUDA output (poisoned first) within 1e-5 of the CPU's. */
    private void productMatchesTheCpu(String what, int m, int n, int k, boolean withBias) {
        b.assertLinearMatches(rnd, what, m, n, k, withBias, 1e-5);
    }

    /**
     * Float32 checkpoints stay float32 on the GPU: the fp32 product (any batch size, bias f32, or
     * bf16 bias on an f32 matrix, or f32 bias on a bf16 matrix) on unrounded fp32 inputs must match
     * the CPU to fp32 accuracy, far below bf16's 2^-9 rounding step.
     */
    @ParameterizedTest
    @CsvSource({"1, 3584, 3584, F32", "7, 300, 1000, NONE", "40, 256, 64, F32", "129, 130, 99, BF16", "16, 512, 18944, F32"})
    void linearWithF32Weights(int m, int n, int k, String biasType) {
        var x = b.exactTensor(TwinBackends.randomF32(rnd, m * k, 1), m, k);
        var w = b.weightF32("w", TwinBackends.randomF32(rnd, n * k, 0.05), n, k);
        var bias = switch (biasType) {
            case "F32" -> b.weightF32("bias", TwinBackends.randomF32(rnd, n, 1), n);
            case "BF16" -> b.weight("bias", random(rnd, n, 1), n);
            default -> null;
        };
        assertEquals(DType.F32, w.cuda().dtype(), "an F32 tensor is kept as F32 on the GPU");
        var out = b.empty(m, n);
        b.cpu.linear(x.cpu(), w.cpu(), bias == null ? null : bias.cpu(), out.cpu());
        b.cuda.linear(x.cuda(), w.cuda(), bias == null ? null : bias.cuda(), out.cuda());
        b.assertClose("f32 linear " + m + "x" + n + "x" + k + " bias " + biasType, out, m, 1e-5);
    }

    @Test
    void f32BiasOnBf16Matrix() {
        int m = 20, n = 300, k = 512;
        var x = b.tensor(random(rnd, m * k, 1), m, k);
        var w = b.weight("w", random(rnd, n * k, 0.05), n, k);
        var bias = b.weightF32("bias", TwinBackends.randomF32(rnd, n, 1), n);
        var out = b.empty(m, n);
        b.cpu.linear(x.cpu(), w.cpu(), bias.cpu(), out.cpu());
        b.cuda.linear(x.cuda(), w.cuda(), bias.cuda(), out.cuda());
        b.assertClose("bf16 linear + f32 bias", out, m, 1e-5);
    }
}
