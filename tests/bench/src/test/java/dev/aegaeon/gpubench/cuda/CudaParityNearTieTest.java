package dev.aegaeon.gpubench.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The parity's judgement of a greedy divergence, on the CPU alone: where the CUDA run picked the
 * CPU's runner-up at the first differing token, within twice the measured error of the largest
 * logit, it is a near tie; the CPU's least likely token is not.
 */
class CudaParityNearTieTest {

    @Test
    void aRunnerUpWithinTheErrorIsANearTieAndAnUnlikelyTokenIsNot() {
        ModelConfig config = ModelShapes.tiny(ModelFamily.LLAMA);
        CudaParity.Case c = new CudaParity.Case("tiny", config, 12, 4);
        int[] prompt = new int[12];
        for (int i = 0; i < prompt.length; i++) prompt[i] = (i * 31 + 5) % config.vocabSize();
        try (CpuBackend cpu = new CpuBackend(1)) {
            int[] greedy;
            float[] row;
            try (SyntheticWeights w = new SyntheticWeights(config, 7);
                 InferenceEngine e = new InferenceEngine(config, w, cpu, new EngineOptions(16, 4, null))) {
                greedy = e.generate(prompt, new SamplingParams(0f, 0, 1f, null, 4, List.of(), List.of())).ids();
                int[] prefix = Arrays.copyOf(prompt, prompt.length + 2);
                System.arraycopy(greedy, 0, prefix, prompt.length, 2);
                float[] all = e.promptLogits(prefix);
                row = Arrays.copyOfRange(all, all.length - config.vocabSize(), all.length);
            }
            int best = greedy[2], second = -1, worst = 0;
            for (int t = 0; t < row.length; t++) {
                if (t != best && (second < 0 || row[t] > row[second])) second = t;
                if (row[t] < row[worst]) worst = t;
            }
            double max = 0;
            for (float v : row) max = Math.max(max, Math.abs(v));
            double gap = row[best] - row[second];

            int[] runnerUp = greedy.clone();
            runnerUp[2] = second;
            Map<String, Object> r = new LinkedHashMap<>();
            CudaParity.nearTie(c, cpu, prompt, greedy, runnerUp, 2, gap / max, r); // bound 2 x gap: inside
            assertEquals(true, r.get("near_tie"), r.toString());
            assertTrue(((String) r.get("first_difference")).startsWith("near tie at token 2"), r.toString());

            r.clear();
            CudaParity.nearTie(c, cpu, prompt, greedy, runnerUp, 2, gap / max / 4, r); // bound gap / 2: outside
            assertFalse((Boolean) r.get("near_tie"), r.toString());

            int[] unlikely = greedy.clone();
            unlikely[2] = worst;
            r.clear();
            CudaParity.nearTie(c, cpu, prompt, greedy, unlikely, 2, gap / max, r);
            assertFalse((Boolean) r.get("near_tie"), "the least likely token is no tie: " + r);
            assertTrue(((String) r.get("first_difference")).startsWith("FAIL at token 2"), r.toString());
        }
    }
}
