package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A model taken off the device while a sequence holds KV: the weights go, the KV stays, steps are
 * refused until the weights are reloaded, and generation then continues exactly.
 */
class WeightReleaseTest {

    @Test
    void sequenceContinuesExactlyAfterWeightsAreReleasedAndReloaded() {
        ModelConfig config = TestModels.tiny(ModelFamily.QWEN2); // tied embeddings + biases: every release path
        int[] prompt = TestModels.prompt(9, config.vocabSize(), 3);
        SamplingParams params = SamplingParams.greedy(12);
        try (SyntheticWeights weights = new SyntheticWeights(config, 7);
             InferenceEngine engine = new InferenceEngine(config, weights, new CpuBackend(2), new EngineOptions(4, 16, null))) {
            int[] expected = engine.generate(prompt, params).ids();

            Sequence s = engine.newSequence(prompt, params);
            List<Integer> got = new ArrayList<>();
            collect(engine.prefill(Batch.of(s)), got);
            collect(engine.decode(Batch.of(s)), got);
            engine.releaseWeights();
            assertFalse(engine.weightsResident());
            assertThrows(IllegalStateException.class, () -> engine.decode(Batch.of(s)));
            engine.reloadWeights(weights);
            assertTrue(engine.weightsResident());
            while (!s.isFinished()) collect(engine.decode(Batch.of(s)), got);
            assertArrayEquals(expected, got.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    private static void collect(StepResult r, List<Integer> out) {
        out.add(((StepResult.Stepped) r).tokens().getFirst().tokenId());
    }
}
