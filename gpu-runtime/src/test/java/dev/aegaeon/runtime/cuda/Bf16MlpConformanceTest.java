package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.blas.CublasLtLibrary;
import dev.aegaeon.runtime.cuda.config.CudaOptions;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static dev.aegaeon.runtime.cuda.TwinBackends.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bf16 MLP ({@link CudaOptions#bf16Mlp}, switched on here and restored) against the CPU
 * backend's default sequence: gate's result (read back widened from its bf16 operand, the fp32
 * values being stale and poisoned), the down product that reads it, the loud refusal of an fp32
 * reader of gate, and the return to fp32 after an ordinary write; then whole tiny models' prompt
 * logits. Bounds as BackendConformanceTest's where the GPU rounds to bf16 (1e-2; the model 2e-2 of
 * the largest logit, as CudaParity's). Skips without a GPU; without cuBLASLt (or where its heuristic
 * offers no bf16 output) our tiles write the bf16 products, checked just the same, and the
 * activation case is reported aborted at its end.
 */
@RequiresCuda
class Bf16MlpConformanceTest {
    static TwinBackends b;
    final Random rnd = new Random(System.nanoTime());

    @BeforeAll
    static void open() { b = TwinBackends.openOrSkip(); }

    @AfterAll
    static void close() { TwinBackends.close(b); }

    /** Qwen2.5-0.5B's MLP (896 -> 4864 -> 896), a 16-aligned odd size, at 9, 64 and 300 rows. */
    @ParameterizedTest
    @CsvSource({"9, 896, 4864", "64, 896, 4864", "300, 896, 4864", "64, 512, 1376"})
    void activationAndDownProductMatchTheCpu(int rows, int hidden, int intermediate) {
        withBf16Mlp(() -> {
            var x = b.tensor(random(rnd, rows * hidden, 1), rows, hidden);
            var gateW = b.weight("gate", random(rnd, intermediate * hidden, 0.05), intermediate, hidden);
            var upW = b.weight("up", random(rnd, intermediate * hidden, 0.05), intermediate, hidden);
            var downW = b.weight("down", random(rnd, hidden * intermediate, 0.05), hidden, intermediate);
            var gate = b.empty(rows, intermediate);
            var up = b.empty(rows, intermediate);
            var proj = b.empty(rows, hidden);
            b.poisonOperand(gate.cuda());
            b.poisonOperand(up.cuda());
            long before = b.cuda.bf16MlpActivations(), productsBefore = b.cuda.device().ops().cublasLtProducts();
            b.cpu.mlpActivation(x.cpu(), gateW.cpu(), upW.cpu(), gate.cpu(), up.cpu());
            b.cuda.mlpActivation(x.cuda(), gateW.cuda(), upW.cuda(), gate.cuda(), up.cuda());
            long onCublasLt = b.cuda.device().ops().cublasLtProducts() - productsBefore;
            assertEquals(before + 1, b.cuda.bf16MlpActivations(), "the bf16 path ran");
            String what = "bf16 MLP " + rows + "x" + hidden + "x" + intermediate;
            b.assertClose(what + " activation (widened from bf16)", gate, rows, 1e-2);
            b.cpu.linear(gate.cpu(), downW.cpu(), null, proj.cpu());
            b.cuda.linear(gate.cuda(), downW.cuda(), null, proj.cuda());
            b.assertClose(what + " down product", proj, rows, 1e-2);

            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> b.cuda.siluMul(gate.cuda(), up.cuda(), gate.cuda()), "silu_mul must not read gate's stale fp32");
            assertTrue(e.getMessage().contains("stale"), e.getMessage());

            // The fp32 sequence on the same tensors: its ordinary writes make gate's fp32 current again, and
            // fp32 values agree with the CPU far closer than bf16 ones could (rounding to bf16 alone is ~1e-3).
            b.cuda.useBf16Mlp(false);
            b.cuda.mlpActivation(x.cuda(), gateW.cuda(), upW.cuda(), gate.cuda(), up.cuda());
            b.assertClose(what + " then the fp32 sequence", gate, rows, 3e-4);
            b.cuda.linear(gate.cuda(), downW.cuda(), null, proj.cuda());
            b.assertClose(what + " then the fp32 down product", proj, rows, 1e-2);
            assertEquals(before + 1, b.cuda.bf16MlpActivations(), "the option off takes the fp32 sequence");
            // Last, as no error: the speed-up needs cuBLASLt's heuristic to offer bf16 output (D and C CUDA_R_16BF,
            // compute and scale 32F); where it offers none, our tiles wrote the bf16 and everything above still holds.
            Assumptions.assumeTrue(CublasLtLibrary.find().isPresent(), "no cuBLASLt here: " + CublasLtLibrary.whyAbsent());
            Assumptions.assumeTrue(onCublasLt == 2, "cuBLASLt ran " + onCublasLt + " of the gate and up products with bf16 output");
        });
    }

    /** The engine with the bf16 MLP in every prefill layer: prompt logits as the CPU's, then decode steps (fp32 MLP) after it. */
    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void tinyModelPromptLogitsMatchTheCpu(ModelFamily family) {
        ModelConfig config = ModelShapes.tiny(family);
        // a prefill then decode steps: the 1-row MLPs take the fp32 sequence over the stale gate
        b.assertPromptMatchesCpu(config, rnd, Bf16MlpConformanceTest::withBf16Mlp, b.cuda::bf16MlpActivations,
                config::numLayers, "every layer's MLP on the bf16 path");
    }

    /** Runs {@code r} with the bf16 MLP, fused operands and cuBLASLt on (swap-AB off), restoring what it found. */
    private static void withBf16Mlp(Runnable r) {
        b.onCublasLt(r, new TwinBackends.Switch(b.cuda::bf16Mlp, b.cuda::useBf16Mlp),
                new TwinBackends.Switch(b.cuda::fusedBf16Operands, b.cuda::useFusedBf16Operands));
    }
}
