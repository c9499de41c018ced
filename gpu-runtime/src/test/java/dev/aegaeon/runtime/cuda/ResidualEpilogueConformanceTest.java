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

/**
 * The residual epilogue ({@link CudaOptions#residualEpilogue}, switched on here and restored) against
 * the CPU backend's default sequence: the residual and the norm's output after one output
 * projection, then whole tiny models' prompt logits and a greedy generation, whose decode steps of
 * one row take the default sequence. Bounds as BackendConformanceTest's where the GPU reads bf16
 * operands (1e-2; the model 2e-2 of the largest logit). Skips without a GPU or without cuBLASLt (the
 * path is cuBLASLt's epilogue alone).
 */
@RequiresCuda
class ResidualEpilogueConformanceTest {
    static TwinBackends b;
    final Random rnd = new Random(System.nanoTime());

    @BeforeAll
    static void open() { b = TwinBackends.openOrSkip(); }

    @AfterAll
    static void close() { TwinBackends.close(b); }

    /** Qwen2.5-0.5B's attention output (896 <- 896) and down (896 <- 4864) products at 9, 64 and 300 rows. */
    @ParameterizedTest
    @CsvSource({"9, 896, 896", "64, 896, 4864", "300, 896, 896", "300, 896, 4864"})
    void residualAndNormMatchTheCpu(int rows, int hidden, int in) {
        withEpilogue(() -> {
            var x = b.tensor(random(rnd, rows * in, 1), rows, in);
            var w = b.weight("o", random(rnd, hidden * in, 0.05), hidden, in);
            var gamma = b.weight("gamma", random(rnd, hidden, 1), hidden);
            var residual = b.tensor(random(rnd, rows * hidden, 1), rows, hidden);
            var scratch = b.empty(rows, hidden);
            var out = b.empty(rows, hidden);
            long before = b.cuda.device().ops().cublasLtAccumulates();
            b.cpu.addProjectionRmsNorm(x.cpu(), w.cpu(), scratch.cpu(), residual.cpu(), gamma.cpu(), 1e-6f, out.cpu());
            b.cuda.addProjectionRmsNorm(x.cuda(), w.cuda(), scratch.cuda(), residual.cuda(), gamma.cuda(), 1e-6f, out.cuda());
            assertEquals(before + 1, b.cuda.device().ops().cublasLtAccumulates(), "the product added into the residual on cuBLASLt");
            String what = "residual epilogue " + rows + "x" + hidden + "x" + in;
            b.assertClose(what + ": residual", residual, rows, 1e-2);
            b.assertClose(what + ": norm", out, rows, 1e-2);

            // The default sequence on the same tensors, from the residual the epilogue left: the two agree again.
            b.cuda.useResidualEpilogue(false);
            b.cpu.addProjectionRmsNorm(x.cpu(), w.cpu(), scratch.cpu(), residual.cpu(), gamma.cpu(), 1e-6f, out.cpu());
            b.cuda.addProjectionRmsNorm(x.cuda(), w.cuda(), scratch.cuda(), residual.cuda(), gamma.cuda(), 1e-6f, out.cuda());
            assertEquals(before + 1, b.cuda.device().ops().cublasLtAccumulates(), "the option off takes the default sequence");
            b.assertClose(what + " then the default sequence: residual", residual, rows, 1e-2);
            b.assertClose(what + " then the default sequence: norm", out, rows, 1e-2);
        });
    }

    /** The engine with the epilogue in every prefill layer: prompt logits as the CPU's, then greedy decoding. */
    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void tinyModelPromptLogitsMatchTheCpu(ModelFamily family) {
        ModelConfig config = ModelShapes.tiny(family);
        b.assertPromptMatchesCpu(config, rnd, ResidualEpilogueConformanceTest::withEpilogue, b.cuda.device().ops()::cublasLtAccumulates,
                () -> 2L * config.numLayers(), "both output projections of every layer in the epilogue");
    }

    /** Runs {@code r} with the epilogue and cuBLASLt on (swap-AB off), restoring what it found. */
    private static void withEpilogue(Runnable r) {
        Assumptions.assumeTrue(CublasLtLibrary.find().isPresent(), "no cuBLASLt here: " + CublasLtLibrary.whyAbsent());
        b.onCublasLt(r, new TwinBackends.Switch(b.cuda::residualEpilogue, b.cuda::useResidualEpilogue));
    }
}
