package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.config.CudaConfig;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.backend.StepLayout;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decode steps replayed as CUDA graphs compute exactly what the same launches issued one by one
 * compute (same kernels, same order: bit-identical logits, hence identical tokens). Generation
 * with block size 4 makes the block tables grow every 4 tokens, which the padded table stride must
 * absorb without wrong keys being replayed. Merged GEMVs (q/k/v, gate/up in one launch) run the
 * same per-row code, so they too must be bit-identical. The device part skips without a GPU.
 */
class StepGraphsTest {

    @Test
    void tableStrideIsNextPowerOfTwo() {
        int[] maxBlocks = {1, 2, 3, 4, 5, 33, 64, 65};
        int[] expected = {1, 2, 4, 4, 8, 64, 64, 128};
        for (int i = 0; i < maxBlocks.length; i++) {
            StepLayout l = new StepLayout(new int[] {1}, new int[] {0}, new int[] {0}, new int[] {0, 1}, new int[] {1},
                    new int[maxBlocks[i]], maxBlocks[i], new int[] {0});
            assertEquals(expected[i], CudaStepInputs.tableStride(l), "max blocks " + maxBlocks[i]);
        }
    }

    @Test
    void graphReplayMatchesDirectLaunches() {
        CudaAvailability a = CudaAvailability.probe();
        Assumptions.assumeTrue(a.available(), a.reason());
        for (ModelFamily family : new ModelFamily[] {ModelFamily.QWEN2, ModelFamily.QWEN3, ModelFamily.LLAMA}) {
            ModelConfig config = ModelShapes.tiny(family);
            int[] prompt = new int[7];
            Random rnd = new Random(System.nanoTime());
            for (int i = 0; i < prompt.length; i++) prompt[i] = rnd.nextInt(config.vocabSize());
            EngineOptions opts = new EngineOptions(4, 64, null);
            long seed = rnd.nextLong();
            SamplingParams greedy = new SamplingParams(0f, 0, 1f, null, 30, List.of(), List.of());
            SamplingParams sampled = new SamplingParams(0.9f, 20, 0.95f, seed, 30, List.of(), List.of());
            try (CudaBackend cuda = new CudaBackend(CudaDevice.open(0, CudaConfig.oneAllocation(0.2)), true);
                 SyntheticWeights w = new SyntheticWeights(config, 7);
                 InferenceEngine e = new InferenceEngine(config, w, cuda, opts)) {
                CudaOps ops = cuda.device().ops();
                ops.useStepGraphs(0, cuda.device().computeStream());
                float[] directLogits = e.promptLogits(prompt);
                int[] directGreedy = e.generate(prompt, greedy).ids();
                int[] directSampled = e.generate(prompt, sampled).ids();

                ops.useStepGraphs(8, cuda.device().computeStream());
                float[] graphLogits = e.promptLogits(prompt);
                int[] graphGreedy = e.generate(prompt, greedy).ids();
                int[] graphSampled = e.generate(prompt, sampled).ids();
                long[] counters = ops.graphs().counters();

                ops.setFuseGemv(true);
                float[] fusedLogits = e.promptLogits(prompt);
                int[] fusedGreedy = e.generate(prompt, greedy).ids();
                int[] fusedSampled = e.generate(prompt, sampled).ids();
                ops.setFuseGemv(false);

                assertArrayEquals(directLogits, graphLogits, family + ": prompt logits");
                assertArrayEquals(directGreedy, graphGreedy, family + ": greedy ids");
                assertArrayEquals(directSampled, graphSampled, family + ": sampled ids");
                assertTrue(counters[0] > 20, family + ": decode steps replayed as graphs: " + counters[0]);
                assertArrayEquals(directLogits, fusedLogits, family + ": prompt logits, fused GEMVs");
                assertArrayEquals(directGreedy, fusedGreedy, family + ": greedy ids, fused GEMVs");
                assertArrayEquals(directSampled, fusedSampled, family + ": sampled ids, fused GEMVs");
            }
        }
    }
}
