package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.blas.CublasLtLibrary;
import dev.aegaeon.runtime.cuda.blas.DevicePointers;
import dev.aegaeon.runtime.cuda.config.CudaOptions;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static dev.aegaeon.runtime.cuda.TwinBackends.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Paired products ({@link CudaOptions#pairedProducts}, switched on here and restored) against the
 * CPU backend's two products: k and v shapes with their biases in the epilogue, gate and up shapes
 * without, at decode and prefill row counts; a pair whose outputs lie against its weights' order,
 * which must fall back to two products; and whole tiny models' prompt logits with every layer's k/v
 * and gate/up paired. Bound 1e-2 as BackendConformanceTest's bf16 products. Skips without a GPU;
 * without cuBLASLt nothing pairs, so each case checks the results and is reported aborted at its end.
 */
@RequiresCuda
class PairedProductsConformanceTest {
    static TwinBackends b;
    final Random rnd = new Random(System.nanoTime());

    @BeforeAll
    static void open() { b = TwinBackends.openOrSkip(); }

    @AfterAll
    static void close() { TwinBackends.close(b); }

    /** Qwen2.5-0.5B's k/v (896 -> 128, biased) and gate/up (896 -> 4864), and an odd 16-aligned shape. */
    @ParameterizedTest
    @CsvSource({"4, 128, 896, true", "9, 128, 896, true", "300, 128, 896, true", "64, 4864, 896, false", "300, 4864, 896, false",
            "33, 272, 512, true"})
    void pairMatchesTwoCpuProducts(int rows, int n, int k, boolean withBias) {
        withPairs(() -> {
            var x = b.tensor(random(rnd, rows * k, 1), rows, k);
            var w0 = b.weight("w0", random(rnd, n * k, 0.05), n, k);
            var w1 = b.weight("w1", random(rnd, n * k, 0.05), n, k);
            var bias0 = withBias ? b.weight("b0", random(rnd, n, 1), n) : null;
            var bias1 = withBias ? b.weight("b1", random(rnd, n, 1), n) : null;
            var out0 = b.empty(rows, n);
            var out1 = b.empty(rows, n);
            long before = b.cuda.pairedProductRuns();
            b.cpu.linearPair(x.cpu(), w0.cpu(), withBias ? bias0.cpu() : null, out0.cpu(), w1.cpu(), withBias ? bias1.cpu() : null, out1.cpu());
            b.cuda.linearPair(x.cuda(), w0.cuda(), withBias ? bias0.cuda() : null, out0.cuda(), w1.cuda(), withBias ? bias1.cuda() : null,
                    out1.cuda());
            String what = "pair " + rows + "x" + n + "x" + k + (withBias ? " with biases" : "");
            b.assertClose(what + ", first", out0, rows, 1e-2);
            b.assertClose(what + ", second", out1, rows, 1e-2);
            long ran = b.cuda.pairedProductRuns() - before;
            Assumptions.assumeTrue(CublasLtLibrary.find().isPresent(), "no cuBLASLt here: " + CublasLtLibrary.whyAbsent());
            assertEquals(1, ran, what + ": one batched call");

            // the same pair named the other way round: the backend orders it by the weights' addresses
            b.cuda.linearPair(x.cuda(), w1.cuda(), withBias ? bias1.cuda() : null, out1.cuda(), w0.cuda(), withBias ? bias0.cuda() : null,
                    out0.cuda());
            b.assertClose(what + ", reversed, first", out0, rows, 1e-2);
            b.assertClose(what + ", reversed, second", out1, rows, 1e-2);
            assertEquals(2, b.cuda.pairedProductRuns() - before, what + ": reversed, one batched call");
        });
    }

    /** Outputs against the weights' address order cannot be batch strides: two products, the same results. */
    @Test
    void outputsAgainstTheWeightsOrderFallBackToTwoProducts() {
        withPairs(() -> {
            int rows = 40, n = 128, k = 896;
            var x = b.tensor(random(rnd, rows * k, 1), rows, k);
            var w0 = b.weight("w0", random(rnd, n * k, 0.05), n, k);
            var w1 = b.weight("w1", random(rnd, n * k, 0.05), n, k);
            var a = b.empty(rows, n);
            var c = b.empty(rows, n);
            // give the lower weight the upper output, whichever way the allocator went
            boolean weightsUp = address(w0.cuda()) < address(w1.cuda());
            boolean outputsUp = DevicePointers.address(((CudaTensor) a.cuda()).writePtr()) < DevicePointers.address(((CudaTensor) c.cuda()).writePtr());
            var out0 = weightsUp == outputsUp ? c : a;
            var out1 = out0 == a ? c : a;
            long before = b.cuda.pairedProductRuns();
            b.cpu.linearPair(x.cpu(), w0.cpu(), null, out0.cpu(), w1.cpu(), null, out1.cpu());
            b.cuda.linearPair(x.cuda(), w0.cuda(), null, out0.cuda(), w1.cuda(), null, out1.cuda());
            b.assertClose("crossed pair, first", out0, rows, 1e-2);
            b.assertClose("crossed pair, second", out1, rows, 1e-2);
            assertEquals(before, b.cuda.pairedProductRuns(), "a crossed pair runs as two products");
        });
    }

    /** The engine with k/v and gate/up paired in every prefill layer: prompt logits as the CPU's, then greedy decode steps. */
    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void tinyModelPromptLogitsMatchTheCpu(ModelFamily family) {
        ModelConfig config = ModelShapes.tiny(family);
        b.assertPromptMatchesCpu(config, rnd, PairedProductsConformanceTest::withPairs, b.cuda::pairedProductRuns, () -> {
            Assumptions.assumeTrue(CublasLtLibrary.find().isPresent(), "no cuBLASLt here: " + CublasLtLibrary.whyAbsent());
            return 2L * config.numLayers();
        }, "k/v and gate/up paired in every layer");
    }

    private static long address(dev.aegaeon.runtime.backend.Weight w) { return DevicePointers.address(((CudaWeight) w).ptr()); }

    /** Runs {@code r} with paired products, the bf16 MLP, fused operands and cuBLASLt on (swap-AB off), restoring what it found. */
    private static void withPairs(Runnable r) {
        b.onCublasLt(r, new TwinBackends.Switch(b.cuda::pairedProducts, b.cuda::usePairedProducts),
                new TwinBackends.Switch(b.cuda::bf16Mlp, b.cuda::useBf16Mlp),
                new TwinBackends.Switch(b.cuda::fusedBf16Operands, b.cuda::useFusedBf16Operands));
    }
}
