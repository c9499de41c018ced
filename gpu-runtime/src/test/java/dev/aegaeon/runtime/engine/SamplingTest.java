package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.aegaeon.runtime.backend.HostSampler;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.weights.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

class SamplingTest {
    private static final ModelConfig CONFIG = TestModels.tiny(ModelFamily.LLAMA);

    @Test
    void greedyPicksTheFirstLargest() {
        float[] logits = {0.5f, 3f, -1f, 3f};
        assertEquals(1, HostSampler.sample(logits, 0, 4, 0f, 0, 1f, 0.99));
    }

    @Test
    void topKOneAndTinyTopPAreGreedy() {
        float[] logits = {0.1f, 0.2f, 2.5f, 0.3f, 2.4f};
        for (double u : new double[] {0.0, 0.5, 0.999}) {
            assertEquals(2, HostSampler.sample(logits, 0, 5, 1f, 1, 1f, u));
            assertEquals(2, HostSampler.sample(logits, 0, 5, 1f, 0, 0.01f, u));
        }
    }

    @Test
    void topKKeepsOnlyTheKLargest() {
        float[] logits = {5f, 4f, 0f, 0f, 0f, 3.9f};
        for (int i = 0; i < 100; i++) {
            int id = HostSampler.sample(logits, 0, 6, 1f, 2, 1f, i / 100.0);
            assertEquals(true, id == 0 || id == 1, "id " + id);
        }
    }

    @Test
    void drawsFollowTheSoftmax() {
        // p = softmax([0, ln 3]) = [0.25, 0.75]: uniforms below 0.25 pick id 0
        float[] logits = {0f, (float) Math.log(3)};
        assertEquals(0, HostSampler.sample(logits, 0, 2, 1f, 0, 1f, 0.2));
        assertEquals(1, HostSampler.sample(logits, 0, 2, 1f, 0, 1f, 0.3));
        // top-p 0.7 keeps only the 0.75 token
        assertEquals(1, HostSampler.sample(logits, 0, 2, 1f, 0, 0.7f, 0.1));
    }

    @Test
    void aSeedReproducesTheSameSampledTokens() {
        SamplingParams params = new SamplingParams(1.5f, 50, 0.95f, 1234L, 12, List.of(), List.of());
        int[] prompt = TestModels.prompt(4, CONFIG.vocabSize(), 5);
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.BF16, 16, 16)) {
            int[] first = engine.generate(prompt, params).ids();
            int[] second = engine.generate(prompt, params).ids();
            assertArrayEquals(first, second);
            SamplingParams otherSeed = new SamplingParams(1.5f, 50, 0.95f, 99L, 12, List.of(), List.of());
            assertFalse(java.util.Arrays.equals(first, engine.generate(prompt, otherSeed).ids()),
                    "another seed should give another sample at temperature 1.5");
        }
    }

    @Test
    void stopTokenEndsGenerationAndIsReported() {
        int[] prompt = TestModels.prompt(4, CONFIG.vocabSize(), 6);
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.BF16, 16, 16)) {
            int[] free = engine.generate(prompt, SamplingParams.greedy(6)).ids();
            Generation stopped = engine.generate(prompt, SamplingParams.greedy(6).withStopTokenIds(List.of(free[2])));
            int firstHit = 0;
            while (free[firstHit] != free[2]) firstHit++;
            assertArrayEquals(java.util.Arrays.copyOf(free, firstHit + 1), stopped.ids());
            assertEquals(FinishReason.STOP, stopped.finishReason());
            assertEquals(FinishReason.LENGTH, engine.generate(prompt, SamplingParams.greedy(3)).finishReason());
        }
    }

    @Test
    void stopStringCutsTheTextBeforeIt() {
        // a decoder that spells each id as "<id>"; stop at the text of the third generated token
        TokenDecoder decoder = ids -> {
            StringBuilder b = new StringBuilder();
            for (int id : ids) b.append('<').append(id).append('>');
            return b.toString();
        };
        int[] prompt = TestModels.prompt(4, CONFIG.vocabSize(), 6);
        try (InferenceEngine plain = TestModels.engine(CONFIG, DType.BF16, 16, 16)) {
            int[] free = plain.generate(prompt, SamplingParams.greedy(6)).ids();
            var weights = new dev.aegaeon.runtime.weights.SyntheticWeights(CONFIG, 7, DType.BF16);
            try (InferenceEngine engine = new InferenceEngine(CONFIG, weights, new dev.aegaeon.runtime.backend.cpu.CpuBackend(1),
                    new EngineOptions(16, 16, decoder))) {
                String stop = "<" + free[2] + ">";
                Generation g = engine.generate(prompt, SamplingParams.greedy(6).withStopStrings(List.of(stop)));
                String full = decoder.decode(free);
                assertEquals(full.substring(0, full.indexOf(stop)), g.text());
                assertEquals(FinishReason.STOP, g.finishReason());
                assertNotEquals(6, g.ids().length);
            }
        }
    }

    @Test
    void badIdsAndParametersAreRejectedUpFront() {
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.BF16, 16, 16)) {
            assertThrows(IllegalArgumentException.class, () -> engine.newSequence(new int[] {CONFIG.vocabSize()}, SamplingParams.greedy(1)));
            assertThrows(IllegalArgumentException.class, () -> engine.newSequence(new int[] {-1}, SamplingParams.greedy(1)));
            assertThrows(IllegalArgumentException.class, () -> engine.newSequence(new int[0], SamplingParams.greedy(1)));
            assertThrows(IllegalArgumentException.class, () -> engine.newSequence(new int[] {1},
                    SamplingParams.greedy(1).withStopStrings(List.of("x"))), "stop strings without a tokenizer cannot work");
        }
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1f, 0, 1f, null, 5, null, null));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1f, 0, 0f, null, 5, null, null));
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.greedy(0));
    }
}
