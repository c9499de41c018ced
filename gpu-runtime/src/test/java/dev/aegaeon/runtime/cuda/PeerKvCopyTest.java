package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.config.CudaConfig;
import dev.aegaeon.runtime.cuda.kv.KvHostLayout;
import dev.aegaeon.runtime.cuda.kv.PeerKvCopies;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.engine.Batch;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.KvSwap;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.engine.Sequence;
import dev.aegaeon.runtime.engine.StepResult;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The KV hand-off between two GPUs ({@link CudaBackend#copyKvBlocksFrom}, {@link PeerKvCopies}):
 * blocks copied device to device hold exactly what the source holds (compared through
 * {@code readKvBlocks} of both), runs and gaps in the id lists alike, and other target blocks are
 * untouched; an engine's detached sequence adopted on the other GPU continues with the greedy ids
 * of an uninterrupted run. Needs 2 GPUs; skips with fewer. Prints whether peer access was on (else
 * the driver staged the copies through host memory).
 */
@RequiresCuda(devices = 2)
class PeerKvCopyTest {
    private static CudaBackend first, second;

    @BeforeAll
    static void openTwoGpus() {
        if (!RequiresCuda.Condition.usable(2)) return; // each test is reported skipped with the reason
        first = new CudaBackend(CudaDevice.open(0, CudaConfig.oneAllocation(0.3)), true);
        second = new CudaBackend(CudaDevice.open(1, CudaConfig.oneAllocation(0.3)), true);
        System.out.println("peer access GPU 0 -> GPU 1: " + PeerKvCopies.peerAccess(first.device(), second.device()));
    }

    @AfterAll
    static void close() {
        if (second != null) second.close();
        if (first != null) first.close();
    }

    @Test
    void peerCopiedBlocksEqualTheSourceBlocksAndLeaveTheOthersAlone() {
        KvCacheShape shape = new KvCacheShape(3, 2, 64, 8, 12);
        Random rnd = new Random(7);
        first.bindThread();
        KvCache source = first.allocateKvCache(shape);
        int[] all = new int[shape.numBlocks()];
        for (int i = 0; i < all.length; i++) all[i] = i;
        first.writeKvBlocks(source, all, random(rnd, KvHostLayout.hostLength(shape, all.length)));
        second.bindThread();
        KvCache target = second.allocateKvCache(shape);
        float[] targetBefore = random(rnd, KvHostLayout.hostLength(shape, all.length));
        second.writeKvBlocks(target, all, targetBefore);
        targetBefore = second.readKvBlocks(target, all); // as bf16 holds it
        try {
            // Runs 2..4 -> 5..7, then single blocks and a descending pair.
            int[] from = {2, 3, 4, 9, 0, 11, 10}, to = {5, 6, 7, 1, 11, 3, 2};
            first.bindThread();
            first.finishKvWrites(source);
            second.bindThread();
            second.copyKvBlocksFrom(first, source, from, target, to);
            first.bindThread();
            float[] expected = first.readKvBlocks(source, from);
            second.bindThread();
            assertArrayEquals(expected, second.readKvBlocks(target, to), "copied blocks equal the source's");
            int[] untouched = {0, 4, 8, 9, 10};
            float[] afterCopy = second.readKvBlocks(target, untouched);
            second.writeKvBlocks(target, all, targetBefore); // the image before the copy, to read the same blocks from
            assertArrayEquals(second.readKvBlocks(target, untouched), afterCopy, "blocks outside the copy keep their contents");
        } finally {
            first.bindThread();
            first.release(source);
            second.bindThread();
            second.release(target);
        }
    }

    @Test
    void aSequenceDetachedOnOneGpuAndAdoptedOnTheOtherContinuesExactly() {
        ModelConfig config = ModelShapes.tiny(ModelFamily.LLAMA);
        Random rnd = new Random(3);
        int[] prompt = new int[21], other = new int[30];
        for (int i = 0; i < prompt.length; i++) prompt[i] = rnd.nextInt(config.vocabSize());
        for (int i = 0; i < other.length; i++) other[i] = rnd.nextInt(config.vocabSize());
        SamplingParams greedy = new SamplingParams(0f, 0, 1f, null, 16, List.of(), List.of());
        first.bindThread();
        try (SyntheticWeights w = new SyntheticWeights(config, 11);
             InferenceEngine prefill = new InferenceEngine(config, w, first, new EngineOptions(8, 12, null));
             InferenceEngine decode = bound(second, () -> new InferenceEngine(config, w, second, new EngineOptions(8, 12, null)))) {
            first.bindThread();
            int[] expected = prefill.generate(prompt, greedy).ids();
            second.bindThread();
            Sequence filler = decode.newSequence(other, greedy); // the copy lands on other block ids
            decode.prefill(Batch.of(filler));
            first.bindThread();
            Sequence s = prefill.newSequence(prompt, greedy);
            assertInstanceOf(StepResult.Stepped.class, prefill.prefill(Batch.of(s)));
            KvSwap.Detached d = prefill.detach(s);
            second.bindThread();
            assertTrue(decode.adopt(s, d).granted());
            assertEquals(prefill.totalBlocks(), prefill.freeBlocks(), "the first GPU's blocks are free after the copy");
            while (!s.isFinished()) assertInstanceOf(StepResult.Stepped.class, decode.decode(Batch.of(s)));
            assertArrayEquals(expected, s.generatedIds());
            first.bindThread();
        }
    }

    private static <T> T bound(CudaBackend backend, java.util.function.Supplier<T> make) {
        backend.bindThread();
        return make.get();
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }
}
