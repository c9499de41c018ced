package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.weights.DType;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The hand-off without a host copy: the prefill engine detaches a sequence's blocks (they stay
 * reserved there), the decode engine adopts it by copying engine to engine and then frees them on
 * the source. The KV is never lost (a refused adoption keeps it, a retry works) and never leaked
 * (discarding frees it once; the source's counts return to where they started).
 */
class DetachedHandOffTest {
    private static final ModelConfig CONFIG = TestModels.tiny(ModelFamily.LLAMA);

    private static int[] alone(int[] prompt, int max) {
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.BF16, 4, 64)) {
            return engine.generate(prompt, SamplingParams.greedy(max)).ids();
        }
    }

    @Test
    void aDetachedSequenceAdoptedByAnotherEngineContinuesExactlyAndFreesTheSource() {
        int[] prompt = TestModels.prompt(13, CONFIG.vocabSize(), 3);
        int[] alone = alone(prompt, 20);
        try (InferenceEngine prefill = TestModels.engine(CONFIG, DType.BF16, 4, 64);
             InferenceEngine decode = TestModels.engine(CONFIG, DType.BF16, 4, 64)) {
            // The decode engine's low blocks are taken, so the copy lands on other block ids.
            Sequence filler = decode.newSequence(TestModels.prompt(9, CONFIG.vocabSize(), 5), SamplingParams.greedy(4));
            decode.prefill(Batch.of(filler));
            int decodeFree = decode.freeBlocks();
            Sequence s = prefill.newSequence(prompt, SamplingParams.greedy(20));
            assertInstanceOf(StepResult.Stepped.class, prefill.prefill(Batch.of(s)));
            int[] sourceBlocks = s.blockTable();
            int freeAfterPrefill = prefill.freeBlocks();

            KvSwap.Detached d = prefill.detach(s);
            assertArrayEquals(sourceBlocks, d.blockIds());
            assertEquals(0, s.blockTable().length, "the sequence holds no blocks once detached");
            assertEquals(freeAfterPrefill, prefill.freeBlocks(), "detached blocks stay reserved on the source");
            assertEquals(sourceBlocks.length, prefill.detachedBlocks());
            assertEquals(4L * 2 * CONFIG.numLayers() * sourceBlocks.length * 4 * CONFIG.numKvHeads() * CONFIG.headDim(), d.bytes());

            assertTrue(decode.adopt(s, d).granted());
            assertEquals(prefill.totalBlocks(), prefill.freeBlocks(), "the source's blocks are free after the copy");
            assertEquals(0, prefill.detachedBlocks());
            assertEquals(decodeFree - sourceBlocks.length, decode.freeBlocks());
            assertNotEquals(sourceBlocks[0], s.blockTable()[0], "the copy went to other block ids");
            assertThrows(IllegalArgumentException.class, () -> prefill.decode(Batch.of(s)), "the first engine no longer owns it");
            while (!s.isFinished()) assertInstanceOf(StepResult.Stepped.class, decode.decode(Batch.of(s)));
            assertArrayEquals(alone, s.generatedIds());
            d.discard(); // already adopted: nothing left to free, and the source's counts do not move
            assertEquals(prefill.totalBlocks(), prefill.freeBlocks());
        }
    }

    @Test
    void adoptionWithoutRoomKeepsTheSourceBlocksAndARetrySucceeds() {
        int[] prompt = TestModels.prompt(12, CONFIG.vocabSize(), 1);
        int[] alone = alone(prompt, 10);
        try (InferenceEngine prefill = TestModels.engine(CONFIG, DType.BF16, 4, 16);
             InferenceEngine decode = TestModels.engine(CONFIG, DType.BF16, 4, 6)) {
            Sequence filler = decode.newSequence(TestModels.prompt(13, CONFIG.vocabSize(), 16), SamplingParams.greedy(4));
            decode.prefill(Batch.of(filler)); // 4 of 6 blocks: 3 more do not fit
            Sequence s = prefill.newSequence(prompt, SamplingParams.greedy(10));
            prefill.prefill(Batch.of(s));
            int sourceFree = prefill.freeBlocks(), decodeFree = decode.freeBlocks();
            KvSwap.Detached d = prefill.detach(s);

            assertInstanceOf(KvReservation.NoRoom.class, decode.adopt(s, d));
            assertEquals(sourceFree, prefill.freeBlocks(), "the source keeps the KV");
            assertEquals(3, prefill.detachedBlocks());
            assertEquals(decodeFree, decode.freeBlocks(), "nothing taken on the full engine");
            assertThrows(IllegalArgumentException.class, () -> decode.decode(Batch.of(s)), "not adopted");

            decode.cancel(filler);
            assertTrue(decode.adopt(s, d).granted(), "a later swap-in finds room");
            assertEquals(prefill.totalBlocks(), prefill.freeBlocks());
            while (!s.isFinished()) decode.decode(Batch.of(s));
            assertArrayEquals(alone, s.generatedIds());
        }
    }

    @Test
    void discardingADetachedSetFreesItOnceAndItCannotBeAdoptedAfterwards() {
        try (InferenceEngine prefill = TestModels.engine(CONFIG, DType.BF16, 4, 16);
             InferenceEngine decode = TestModels.engine(CONFIG, DType.BF16, 4, 16)) {
            Sequence s = prefill.newSequence(TestModels.prompt(10, CONFIG.vocabSize(), 2), SamplingParams.greedy(6));
            prefill.prefill(Batch.of(s));
            KvSwap.Detached d = prefill.detach(s);
            assertTrue(prefill.freeBlocks() < prefill.totalBlocks());
            d.discard();
            assertEquals(prefill.totalBlocks(), prefill.freeBlocks());
            assertEquals(0, prefill.detachedBlocks());
            d.discard();
            assertEquals(prefill.totalBlocks(), prefill.freeBlocks(), "a second discard frees nothing twice");
            assertThrows(IllegalStateException.class, () -> decode.adopt(s, d));
            assertEquals(decode.totalBlocks(), decode.freeBlocks());
            assertThrows(IllegalStateException.class, () -> prefill.swapIn(s, d));
        }
    }

    @Test
    void aSetDetachedAndSwappedBackIntoItsOwnEngineIsReattachedWithoutACopy() {
        int[] prompt = TestModels.prompt(11, CONFIG.vocabSize(), 4);
        int[] alone = alone(prompt, 12);
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.BF16, 4, 16)) {
            Sequence s = engine.newSequence(prompt, SamplingParams.greedy(12));
            engine.prefill(Batch.of(s));
            engine.decode(Batch.of(s));
            int[] blocks = s.blockTable();
            KvSwap.Detached d = engine.detach(s);
            assertTrue(engine.adopt(s, d).granted());
            assertArrayEquals(blocks, s.blockTable(), "the same blocks, not a copy");
            assertEquals(0, engine.detachedBlocks());
            while (!s.isFinished()) engine.decode(Batch.of(s));
            assertArrayEquals(alone, s.generatedIds());
            assertEquals(engine.totalBlocks(), engine.freeBlocks());
        }
    }

    /**
     * The source's block pool is touched by two threads: its own steps (prefill, detach) and the
     * adopting engine's thread (freeing adopted sets). Every block comes back, none twice.
     */
    @Test
    void sourceStepsAndAdoptionsOnAnotherThreadKeepTheBlockPoolConsistent() throws Exception {
        int rounds = 120;
        try (InferenceEngine prefill = TestModels.engine(CONFIG, DType.BF16, 4, 64);
             InferenceEngine decode = TestModels.engine(CONFIG, DType.BF16, 4, 64)) {
            BlockingQueue<Sequence> sequences = new ArrayBlockingQueue<>(rounds);
            BlockingQueue<KvSwap.Detached> sets = new ArrayBlockingQueue<>(rounds);
            CompletableFuture<Integer> adopted = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                try {
                    for (int i = 0; i < rounds; i++) {
                        Sequence s = sequences.poll(60, TimeUnit.SECONDS);
                        KvSwap.Detached d = sets.poll(60, TimeUnit.SECONDS);
                        if (decode.adopt(s, d).granted()) {
                            n++;
                            decode.cancel(s);
                        } else {
                            d.discard();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return n;
            });
            for (int i = 0; i < rounds; i++) {
                Sequence s = prefill.newSequence(TestModels.prompt(5 + i % 9, CONFIG.vocabSize(), i), SamplingParams.greedy(4));
                assertInstanceOf(StepResult.Stepped.class, prefill.prefill(Batch.of(s)));
                // A detached set is the caller's hand-off: the sequence and its KV travel together.
                KvSwap.Detached d = prefill.detach(s);
                sequences.put(s);
                sets.put(d);
            }
            assertEquals(rounds, adopted.get(120, TimeUnit.SECONDS));
            assertEquals(0, prefill.detachedBlocks());
            assertEquals(prefill.totalBlocks(), prefill.freeBlocks());
            assertEquals(decode.totalBlocks(), decode.freeBlocks());
        }
    }

    @Test
    void aSequenceWithNothingCachedCannotBeDetached() {
        try (InferenceEngine engine = TestModels.engine(CONFIG, DType.BF16, 4, 16)) {
            Sequence s = engine.newSequence(TestModels.prompt(6, CONFIG.vocabSize(), 7), SamplingParams.greedy(3));
            assertThrows(IllegalStateException.class, () -> engine.detach(s));
            assertEquals(0, engine.detachedBlocks());
        }
    }
}
