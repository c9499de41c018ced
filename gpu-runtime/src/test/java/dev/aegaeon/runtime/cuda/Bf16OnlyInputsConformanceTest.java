package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.backend.Tensor;
import dev.aegaeon.runtime.cuda.config.CudaOptions;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelConfigLoader;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.RopeScaling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Random;

import static dev.aegaeon.runtime.cuda.TwinBackends.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bf16-only product inputs ({@link CudaOptions#bf16OnlyInputs}, switched on here and restored)
 * against the CPU backend: a norm and the tensor-core prefill attention writing a product input's
 * bf16 operand alone (read back widened, the operand poisoned with NaN first; the fp32 values stale
 * and refused to an fp32 reader), the product that reads it, the fp32 write below 9 rows, then small
 * models' prompt logits and greedy generation. Bounds as BackendConformanceTest's where the GPU rounds
 * to bf16 (1e-2; the model 2e-2 of the largest logit). Skips without a GPU.
 */
@RequiresCuda
class Bf16OnlyInputsConformanceTest {
    static TwinBackends b;
    final Random rnd = new Random(System.nanoTime());

    @BeforeAll
    static void open() { b = TwinBackends.openOrSkip(); }

    @AfterAll
    static void close() { TwinBackends.close(b); }

    @ParameterizedTest
    @CsvSource({"9, 896", "64, 896", "300, 3584", "8, 896"})
    void normWritesTheOperandAloneFromNineRows(int rows, int hidden) {
        withOption(() -> {
            var residual = b.tensor(random(rnd, rows * hidden, 1), rows, hidden);
            var gamma = b.weight("gamma", random(rnd, hidden, 1), hidden);
            var w = b.weight("q", random(rnd, 256 * hidden, 0.05), 256, hidden);
            var out = productInput(rows, hidden);
            var q = b.empty(rows, 256);
            long before = b.cuda.bf16OnlyInputWrites();
            b.cpu.rmsNorm(residual.cpu(), gamma.cpu(), 1e-6f, out.cpu());
            b.cuda.rmsNorm(residual.cuda(), gamma.cuda(), 1e-6f, out.cuda());
            boolean bf16Only = rows > CudaOps.GEMV_MAX_ROWS && b.cuda.device().ops().needsBf16Operand(rows, hidden);
            assertEquals(before + (bf16Only ? 1 : 0), b.cuda.bf16OnlyInputWrites(), "bf16 alone exactly where every product reads it");
            assertEquals(bf16Only, ((CudaTensor) out.cuda()).storage.fp32Stale);
            String what = "norm of " + rows + "x" + hidden;
            b.assertClose(what + (bf16Only ? " (widened from bf16)" : ""), out, rows, 1e-2);
            b.cpu.linear(out.cpu(), w.cpu(), null, q.cpu());
            b.cuda.linear(out.cuda(), w.cuda(), null, q.cuda());
            b.assertClose(what + ": the product reading it", q, rows, 1e-2);
            if (bf16Only) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> b.cuda.siluMul(out.cuda(), out.cuda(), q.cuda()), "an fp32 reader of a bf16-only input must fail");
                assertTrue(e.getMessage().contains("stale"), e.getMessage());
            }
            // With the option off the same norm writes fp32 again.
            b.cuda.useBf16OnlyInputs(false);
            b.cuda.rmsNorm(residual.cuda(), gamma.cuda(), 1e-6f, out.cuda());
            assertFalse(((CudaTensor) out.cuda()).storage.fp32Stale);
            b.assertClose(what + " then fp32", out, rows, 3e-4);
        });
    }

    /** Several sequences in one step (each its own launch at its row offset into the bf16 rows), head sizes 64 and 128. */
    @ParameterizedTest
    @CsvSource({"128, 28, 4, 16", "64, 8, 2, 7"})
    void prefillAttentionWritesTheOperandAlone(int hd, int heads, int kvHeads, int blockSize) {
        withOption(() -> {
            Assumptions.assumeTrue(b.cuda.device().ops().attention().prefillKernels().takesMmaBf16Out(hd), "no bf16-output prefill attention loaded");
            int[] lens = {5, 63, 130, 300};
            int maxBlocks = 0, total = 0;
            for (int len : lens) { maxBlocks = Math.max(maxBlocks, (len + blockSize - 1) / blockSize); total += len; }
            int blocks = lens.length * maxBlocks, layer = 0;
            int[] tables = new int[blocks], qs = new int[lens.length + 1], slots = new int[total], pos = new int[total];
            for (int i = 0; i < blocks; i++) tables[i] = blocks - 1 - i;
            for (int s = 0, t = 0; s < lens.length; s++) {
                qs[s + 1] = qs[s] + lens[s];
                for (int p = 0; p < lens[s]; p++, t++) {
                    pos[t] = p;
                    slots[t] = tables[s * maxBlocks + p / blockSize] * blockSize + p % blockSize;
                }
            }
            var shape = new KvCacheShape(1, kvHeads, hd, blockSize, blocks);
            KvCache cc = b.cpu.allocateKvCache(shape), cg = b.cuda.allocateKvCache(shape);
            var q = b.tensor(random(rnd, total * heads * hd, 1), total, heads * hd);
            var k = b.tensor(random(rnd, total * kvHeads * hd, 1), total, kvHeads * hd);
            var v = b.tensor(random(rnd, total * kvHeads * hd, 1), total, kvHeads * hd);
            var out = productInput(total, heads * hd);
            var step = b.step(new StepLayout(new int[total], pos, slots, qs, lens.clone(), tables, maxBlocks, new int[0]));
            b.cpu.writeKv(k.cpu(), v.cpu(), cc, layer, step.cpu());
            b.cuda.writeKv(k.cuda(), v.cuda(), cg, layer, step.cuda());
            long before = b.cuda.bf16OnlyInputWrites();
            b.cpu.prefillAttention(q.cpu(), k.cpu(), v.cpu(), heads, kvHeads, step.cpu(), out.cpu());
            b.cuda.prefillAttention(q.cuda(), k.cuda(), v.cuda(), heads, kvHeads, step.cuda(), out.cuda());
            assertEquals(before + 1, b.cuda.bf16OnlyInputWrites(), "the attention wrote the bf16 operand alone");
            assertTrue(((CudaTensor) out.cuda()).storage.fp32Stale);
            b.assertClose("prefill attention hd" + hd + " into bf16 alone (widened)", out, total, 1e-2);
            b.cpu.release(cc);
            b.cuda.release(cg);
        });
    }

    /** The engine with the option on: tiny models (head sizes 16, 32: norms only) and a head size of 64 (the attention too). */
    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void modelPromptLogitsMatchTheCpu(ModelFamily family) {
        ModelConfig c = new ModelConfig(family, ModelConfigLoader.architectureOf(family), 512, 256, 512, 2, 4, 2, 64,
                1e-6, 10_000.0, RopeScaling.NONE, 2048, family == ModelFamily.QWEN2, List.of(1), null);
        // every norm but the final one (2 per layer), and each layer's attention where the kernel is loaded
        b.assertPromptMatchesCpu(c, rnd, Bf16OnlyInputsConformanceTest::withOption, b.cuda::bf16OnlyInputWrites,
                () -> 2L * c.numLayers() + (b.cuda.device().ops().attention().prefillKernels().takesMmaBf16Out(64) ? c.numLayers() : 0),
                "bf16-only writes of one prompt");
    }

    /** A product input on the CUDA side (its bf16 operand poisoned with NaN), a plain tensor on the CPU. */
    private static TwinBackends.Pair productInput(int rows, int cols) {
        Tensor t = b.cuda.allocateProductInput(rows, cols);
        b.poison(t);
        b.poisonOperand(t);
        return new TwinBackends.Pair(b.cpu.allocate(rows, cols), t);
    }

    /** Runs {@code r} with the option, fused operands, cuBLASLt and the tensor-core prefill attention on (swap-AB off), restoring what it found. */
    private static void withOption(Runnable r) {
        var prefill = b.cuda.device().ops().attention().prefillKernels();
        b.onCublasLt(r, new TwinBackends.Switch(b.cuda::bf16OnlyInputs, b.cuda::useBf16OnlyInputs),
                new TwinBackends.Switch(b.cuda::fusedBf16Operands, b.cuda::useFusedBf16Operands),
                new TwinBackends.Switch(prefill::mmaEnabled, b.cuda.device().ops().attention()::setPrefillAttentionMma));
    }
}
