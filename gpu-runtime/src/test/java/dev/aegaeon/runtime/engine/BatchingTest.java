package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.weights.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Batched prefill and decode give each sequence exactly what it gets alone; paging is invisible. */
class BatchingTest {
    private static final ModelConfig CONFIG = TestModels.tiny(ModelFamily.QWEN2);
    private static final int[] LENGTHS = {3, 11, 7, 1};

    @Test
    void batchedPrefillAndDecodeMatchEachSequenceAlone() {
        Map<Integer, List<float[]>> alone = new HashMap<>();
        Map<Integer, int[]> aloneIds = new HashMap<>();
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.BF16, 4, 64)) {
            for (int i = 0; i < LENGTHS.length; i++) {
                List<float[]> rows = new ArrayList<>();
                engine.setLogitsObserver((s, logits) -> rows.add(logits));
                Sequence s = engine.newSequence(TestModels.prompt(LENGTHS[i], CONFIG.vocabSize(), i), SamplingParams.greedy(6));
                engine.prefill(Batch.of(s));
                while (!s.isFinished()) engine.decode(Batch.of(s));
                alone.put(i, rows);
                aloneIds.put(i, s.generatedIds());
            }
        }
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.BF16, 4, 64)) {
            List<Sequence> seqs = new ArrayList<>();
            Map<Sequence, List<float[]>> batched = new HashMap<>();
            for (int i = 0; i < LENGTHS.length; i++) {
                Sequence s = engine.newSequence(TestModels.prompt(LENGTHS[i], CONFIG.vocabSize(), i), SamplingParams.greedy(6));
                seqs.add(s);
                batched.put(s, new ArrayList<>());
            }
            engine.setLogitsObserver((s, logits) -> batched.get(s).add(logits));
            assertInstanceOf(StepResult.Stepped.class, engine.prefill(new Batch(seqs)));
            while (!seqs.getFirst().isFinished()) assertInstanceOf(StepResult.Stepped.class, engine.decode(new Batch(seqs)));
            for (int i = 0; i < LENGTHS.length; i++) {
                Sequence s = seqs.get(i);
                assertArrayEquals(aloneIds.get(i), s.generatedIds(), "ids of sequence " + i);
                List<float[]> expected = alone.get(i), actual = batched.get(s);
                assertEquals(expected.size(), actual.size());
                for (int step = 0; step < expected.size(); step++) {
                    assertRelativeClose(expected.get(step), actual.get(step), 1e-5, "sequence " + i + " step " + step);
                }
            }
            assertEquals(engine.totalBlocks(), engine.freeBlocks(), "finished sequences free their blocks");
        }
    }

    @Test
    void batchedPromptLogitsMatchSingleOnes() {
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.F32, 4, 64)) {
            int[] a = TestModels.prompt(9, CONFIG.vocabSize(), 3), b = TestModels.prompt(2, CONFIG.vocabSize(), 4);
            float[] aAlone = engine.promptLogits(a), bAlone = engine.promptLogits(b);
            List<float[]> last = new ArrayList<>();
            engine.setLogitsObserver((s, logits) -> last.add(logits));
            engine.prefill(Batch.of(engine.newSequence(a, SamplingParams.greedy(4)), engine.newSequence(b, SamplingParams.greedy(4))));
            int v = CONFIG.vocabSize();
            assertRelativeClose(java.util.Arrays.copyOfRange(aAlone, 8 * v, 9 * v), last.get(0), 1e-5, "last row of a");
            assertRelativeClose(java.util.Arrays.copyOfRange(bAlone, v, 2 * v), last.get(1), 1e-5, "last row of b");
        }
    }

    @Test
    void exhaustedKvCacheAnswersNoRoomAndChangesNothing() {
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.BF16, 4, 5)) {
            Sequence big = engine.newSequence(TestModels.prompt(21, CONFIG.vocabSize(), 1), SamplingParams.greedy(3));
            StepResult result = engine.prefill(Batch.of(big));
            StepResult.NoRoom noRoom = assertInstanceOf(StepResult.NoRoom.class, result);
            assertEquals(6, noRoom.blocksNeeded());
            assertEquals(5, noRoom.blocksFree());
            assertEquals(5, engine.freeBlocks());
            assertEquals(0, big.blockTable().length);

            // two sequences that fit alone but not together: all or nothing
            Sequence a = engine.newSequence(TestModels.prompt(12, CONFIG.vocabSize(), 2), SamplingParams.greedy(3));
            Sequence b = engine.newSequence(TestModels.prompt(12, CONFIG.vocabSize(), 3), SamplingParams.greedy(3));
            assertInstanceOf(StepResult.NoRoom.class, engine.prefill(Batch.of(a, b)));
            assertEquals(5, engine.freeBlocks());

            assertInstanceOf(StepResult.Stepped.class, engine.prefill(Batch.of(a)));
            assertEquals(2, engine.freeBlocks());
            engine.cancel(a);
            assertEquals(FinishReason.CANCELLED, a.finishReason());
            assertEquals(5, engine.freeBlocks(), "cancel frees the blocks");
        }
    }

    @Test
    void decodeAsksForANewBlockOnlyAtABlockBoundary() {
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.BF16, 4, 3)) {
            Sequence s = engine.newSequence(TestModels.prompt(7, CONFIG.vocabSize(), 1), SamplingParams.greedy(10));
            engine.prefill(Batch.of(s)); // 7 cached + 1 pending token: 2 blocks
            assertEquals(1, engine.freeBlocks());
            engine.decode(Batch.of(s)); // position 7 still in block 1
            assertEquals(1, engine.freeBlocks());
            engine.decode(Batch.of(s)); // position 8 opens block 2
            assertEquals(0, engine.freeBlocks());
            for (int i = 0; i < 3; i++) assertInstanceOf(StepResult.Stepped.class, engine.decode(Batch.of(s)));
            StepResult.NoRoom full = assertInstanceOf(StepResult.NoRoom.class, engine.decode(Batch.of(s)));
            assertEquals(1, full.blocksNeeded());
            assertEquals(12, s.cachedTokens());
            assertTrue(!s.isFinished());
        }
    }

    @Test
    void preemptedSequenceIsRecomputedAndContinuesIdentically() {
        int[] prompt = TestModels.prompt(6, CONFIG.vocabSize(), 9);
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.F32, 4, 16)) {
            int[] uninterrupted = engine.generate(prompt, SamplingParams.greedy(9)).ids();
            Sequence s = engine.newSequence(prompt, SamplingParams.greedy(9));
            engine.prefill(Batch.of(s));
            for (int i = 0; i < 3; i++) engine.decode(Batch.of(s));
            engine.preempt(s);
            assertEquals(engine.totalBlocks(), engine.freeBlocks(), "preemption frees every block");
            assertEquals(3, engine.blocksNeeded(Batch.of(s)), "10 tokens to recompute need 3 blocks of 4");
            assertInstanceOf(StepResult.Stepped.class, engine.prefill(Batch.of(s)));
            while (!s.isFinished()) engine.decode(Batch.of(s));
            assertArrayEquals(uninterrupted, s.generatedIds());
        }
    }

    static void assertRelativeClose(float[] expected, float[] actual, double tolerance, String what) {
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        assertTrue(maxDiff <= tolerance * maxRef, what + ": max|diff|/max|ref| = " + maxDiff / maxRef);
    }
}
