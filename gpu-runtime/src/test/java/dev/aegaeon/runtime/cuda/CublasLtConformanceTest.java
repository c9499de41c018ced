package dev.aegaeon.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.aegaeon.runtime.cuda.blas.CublasLtLibrary;
import dev.aegaeon.runtime.cuda.config.CudaOptions;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;

/**
 * The products on cuBLASLt ({@code aegaeon.cuda.gemmLibrary=CUBLASLT}) against the CPU backend's,
 * as {@link ProductConformanceTest} checks our kernels: prefill and decode-batch shapes of the 7B,
 * ragged sizes, bf16 bias on the fp32 output or none. Where cuBLASLt offers no algorithm (K = 99:
 * rows not 16-byte aligned) our kernel runs and must agree just the same; for aligned shapes the
 * test asserts cuBLASLt did run, with a bias too (a bf16 bias on fp32 output has no cuBLASLt
 * epilogue: it adds the weight's fp32 copy instead, or, where it offers none for that, the product
 * runs there and our kernel adds the bias). Skips without a GPU or without the library.
 */
@RequiresCuda
class CublasLtConformanceTest {
    /**
     * Our kernels agree with the CPU within 1e-5; cuBLASLt's algorithms split K in their own order, and
     * over K = 18944 that measured 1.06e-5 on an H100: the same fp32 accumulation, summed differently.
     */
    static final double TOLERANCE = 3e-5;
    static TwinBackends b;
    final Random rnd = new Random(System.nanoTime());

    @BeforeAll
    static void open() {
        b = TwinBackends.openOrSkip();
        Assumptions.assumeTrue(CublasLtLibrary.find().isPresent(), "SKIPPED: " + CublasLtLibrary.whyAbsent());
    }

    @AfterAll
    static void close() { TwinBackends.close(b); }

    @ParameterizedTest
    @CsvSource({"512, 3584, 3584, true", "512, 4608, 3584, true", "256, 3584, 18944, false", "128, 3584, 3584, true", "16, 512, 3584, false", "9, 130, 104, true", "300, 1000, 512, false", "257, 301, 2048, true",
        "129, 130, 99, true"})
    void productsMatchTheCpu(int m, int n, int k, boolean withBias) {
        CudaOps ops = b.cuda.device().ops();
        boolean swapAbBefore = ops.decodeKernels().swapAbEnabled();
        var libraryBefore = ops.gemmLibrary();
        long before = ops.cublasLtProducts();
        try {
            ops.setSwapAbDecode(false);
            ops.setGemmLibrary(CudaOptions.GemmLibrary.CUBLASLT);
            for (int rep = 0; rep < 2; rep++) { // the second call reuses the cached plan
                b.assertLinearMatches(rnd, "cuBLASLt linear " + m + "x" + n + "x" + k + (withBias ? " + bias" : "") + " #" + rep,
                        m, n, k, withBias, TOLERANCE);
            }
            if (k % 8 == 0) assertTrue(ops.cublasLtProducts() >= before + 2, "cuBLASLt ran the aligned product " + m + "x" + n + "x" + k);
        } finally {
            ops.setGemmLibrary(libraryBefore);
            ops.setSwapAbDecode(swapAbBefore);
        }
    }

    /**
     * Small decode batches asked onto cuBLASLt ({@code aegaeon.cuda.cublasLtMinRows} below 9) run
     * there instead of the GEMV and swap-AB kernels, from the bf16 operand, and match the CPU.
     */
    @ParameterizedTest
    @CsvSource({"1, 3584, 3584, true", "4, 512, 3584, false", "8, 4608, 3584, true", "8, 18944, 3584, false"})
    void smallBatchesAskedOntoCublasLtMatchTheCpu(int m, int n, int k, boolean withBias) {
        CudaOps ops = b.cuda.device().ops();
        var libraryBefore = ops.gemmLibrary();
        int minRowsBefore = ops.cublasLtMinRows();
        long before = ops.cublasLtProducts();
        try {
            ops.setGemmLibrary(CudaOptions.GemmLibrary.CUBLASLT);
            ops.setCublasLtMinRows(1);
            b.assertLinearMatches(rnd, "cuBLASLt small batch " + m + "x" + n + "x" + k + (withBias ? " + bias" : ""), m, n, k, withBias, TOLERANCE);
            assertTrue(ops.cublasLtProducts() > before, "cuBLASLt ran the " + m + "-row product");
        } finally {
            ops.setGemmLibrary(libraryBefore);
            ops.setCublasLtMinRows(minRowsBefore);
        }
    }

    /**
     * Decode-shaped products recorded in steps reach cuBLASLt in order with the step's kernels: the
     * same step flushed three times (issued directly, captured into a graph, replayed) gives the
     * CPU's result each time and the same bits as the direct call, bias epilogue or our bias kernel
     * after it alike.
     */
    @ParameterizedTest
    @CsvSource({"64, 3584, 3584, true", "16, 512, 3584, false", "128, 4608, 3584, true"})
    void productsRecordedInStepsAndReplayedAsGraphsMatch(int m, int n, int k, boolean withBias) {
        CudaOps ops = b.cuda.device().ops();
        boolean swapAbBefore = ops.decodeKernels().swapAbEnabled();
        var libraryBefore = ops.gemmLibrary();
        try {
            ops.setSwapAbDecode(false);
            ops.setGemmLibrary(CudaOptions.GemmLibrary.CUBLASLT);
            var x = b.tensor(TwinBackends.random(rnd, m * k, 1), m, k);
            var w = b.weight("w", TwinBackends.random(rnd, n * k, 0.05), n, k);
            var bias = withBias ? b.weight("bias", TwinBackends.random(rnd, n, 1), n) : null;
            var out = b.empty(m, n);
            b.cpu.linear(x.cpu(), w.cpu(), bias == null ? null : bias.cpu(), out.cpu());
            b.cuda.linear(x.cuda(), w.cuda(), bias == null ? null : bias.cuda(), out.cuda());
            float[] direct = new float[m * n];
            b.cuda.copyToHost(out.cuda(), m, direct);
            long[] countersBefore = ops.graphs().counters();
            long productsBefore = ops.cublasLtProducts();
            for (int rep = 0; rep < 3; rep++) {
                b.poison(out.cuda());
                ops.graphs().begin(b.cuda.device().computeStream());
                b.cuda.linear(x.cuda(), w.cuda(), bias == null ? null : bias.cuda(), out.cuda());
                ops.graphs().flush();
                b.assertClose("cuBLASLt in a recorded step " + m + "x" + n + "x" + k + " #" + rep, out, m, TOLERANCE);
                float[] got = new float[m * n];
                b.cuda.copyToHost(out.cuda(), m, got);
                org.junit.jupiter.api.Assertions.assertArrayEquals(direct, got, "recorded step #" + rep + " bit for bit as the direct call");
            }
            long[] counters = ops.graphs().counters();
            assertTrue(ops.cublasLtProducts() >= productsBefore + 3, "cuBLASLt ran the recorded products");
            assertTrue(counters[0] > countersBefore[0] && counters[1] > countersBefore[1],
                    "the step was captured and replayed as a graph: " + java.util.Arrays.toString(counters));
        } finally {
            ops.setGemmLibrary(libraryBefore);
            ops.setSwapAbDecode(swapAbBefore);
        }
    }

    /**
     * The 7B's q and k/v products with their bf16 biases, through the weight's fp32 copy: the CPU's
     * result always; and cuBLASLt's epilogue adding the bias (no separate bias kernel) where its
     * heuristic offers that, else the case is reported aborted, as a kernel a device lacks is (the
     * epilogue saves time, its absence is no error: the bias kernel runs after the product).
     */
    @ParameterizedTest
    @CsvSource({"512, 3584, 3584", "64, 512, 3584", "1024, 3584, 3584"})
    void biasesRideTheEpilogueFromTheirFp32Copy(int m, int n, int k) {
        CudaOps ops = b.cuda.device().ops();
        boolean swapAbBefore = ops.decodeKernels().swapAbEnabled();
        var libraryBefore = ops.gemmLibrary();
        long before = ops.cublasLtF32BiasEpilogues();
        try {
            ops.setSwapAbDecode(false);
            ops.setGemmLibrary(CudaOptions.GemmLibrary.CUBLASLT);
            b.assertLinearMatches(rnd, "cuBLASLt linear " + m + "x" + n + "x" + k + " + bias from its fp32 copy", m, n, k, true, TOLERANCE);
            Assumptions.assumeTrue(ops.cublasLtF32BiasEpilogues() > before,
                    "cuBLASLt offers no fp32-bias epilogue for " + m + "x" + n + "x" + k + " here: the bias kernel ran after the product");
        } finally {
            ops.setGemmLibrary(libraryBefore);
            ops.setSwapAbDecode(swapAbBefore);
        }
    }
}
