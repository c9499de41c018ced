package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.weights.DType;
import org.junit.jupiter.api.Test;

/**
 * Disaggregated hand-off: a sequence prefilled on one engine (one device), swapped out to host
 * memory and adopted by another engine of the same model (another device) decodes exactly the
 * tokens it would have decoded where it started.
 */
class HandOffTest {
    private static final ModelConfig CONFIG = TestModels.tiny(ModelFamily.LLAMA);

    @Test
    void aSequenceAdoptedByAnotherEngineContinuesExactly() {
        int[] prompt = TestModels.prompt(13, CONFIG.vocabSize(), 3);
        int[] alone;
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.BF16, 4, 64)) {
            alone = engine.generate(prompt, SamplingParams.greedy(20)).ids();
        }
        try (InferenceEngine prefill = TestModels.engine(CONFIG, DType.BF16, 4, 64);
             InferenceEngine decode = TestModels.engine(CONFIG, DType.BF16, 4, 64)) {
            // The decode engine's low blocks are taken, so the adopted KV lands on other block ids.
            Sequence filler = decode.newSequence(TestModels.prompt(9, CONFIG.vocabSize(), 5), SamplingParams.greedy(4));
            decode.prefill(Batch.of(filler));
            Sequence s = prefill.newSequence(prompt, SamplingParams.greedy(20));
            assertInstanceOf(StepResult.Stepped.class, prefill.prefill(Batch.of(s)));
            int freeBefore = prefill.freeBlocks();
            KvSwap host = prefill.swapOut(s);
            assertTrue(prefill.freeBlocks() > freeBefore, "the prefill engine's blocks are free once the KV is in host memory");
            assertTrue(decode.adopt(s, host).granted());
            assertThrows(IllegalArgumentException.class, () -> prefill.decode(Batch.of(s)), "the first engine no longer owns it");
            while (!s.isFinished()) assertInstanceOf(StepResult.Stepped.class, decode.decode(Batch.of(s)));
            assertArrayEquals(alone, s.generatedIds());
            assertEquals(prefill.totalBlocks(), prefill.freeBlocks());
        }
    }

    @Test
    void adoptionWithoutRoomChangesNothingAndAnotherModelIsRefused() {
        int[] prompt = TestModels.prompt(12, CONFIG.vocabSize(), 1);
        try (InferenceEngine prefill = TestModels.engine(CONFIG, DType.BF16, 4, 16);
             InferenceEngine full = TestModels.engine(CONFIG, DType.BF16, 4, 2);
             InferenceEngine other = TestModels.engine(TestModels.tiny(ModelFamily.QWEN3), DType.BF16, 4, 16)) {
            Sequence s = prefill.newSequence(prompt, SamplingParams.greedy(8));
            prefill.prefill(Batch.of(s));
            KvSwap host = prefill.swapOut(s);
            assertFalse(full.adopt(s, host).granted(), "3 blocks do not fit a pool of 2");
            assertEquals(full.totalBlocks(), full.freeBlocks());
            assertThrows(IllegalArgumentException.class, () -> other.adopt(s, host));
            assertTrue(prefill.swapIn(s, host).granted(), "the refused sequence still belongs to its first engine");
        }
    }
}
