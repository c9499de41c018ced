package dev.aegaeon.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.cuda.config.CudaConfig;
import dev.aegaeon.runtime.cuda.kv.CudaKvCache;
import dev.aegaeon.runtime.cuda.memory.ChunkBudget;
import dev.aegaeon.runtime.cuda.memory.OnDemandSpan;
import dev.aegaeon.runtime.engine.Batch;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.KvSwap;
import dev.aegaeon.runtime.engine.SamplingParams;
import dev.aegaeon.runtime.engine.Sequence;
import dev.aegaeon.runtime.engine.SharedKvPages;
import dev.aegaeon.runtime.engine.StepResult;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.weights.DType;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Device memory on demand ({@code aegaeon.cuda.deviceMemory=ON_DEMAND}): an engine whose KV cache
 * addresses a whole device's pages holds memory only for the blocks its sequences use, gives it back
 * as they finish, computes exactly what a fixed cache computes, and swaps out and in through mapped
 * blocks. Skips without a GPU.
 */
class OnDemandMemoryTest {
    /** 24 layers x 2 KV heads x 64: 85 tokens a 1 MiB page, blocks of about half a chunk. */
    private static final ModelConfig MODEL = ModelShapes.qwen25_05b();
    private static final long PAGE_BYTES = 1 << 20;
    private static final int PAGES = 8192;

    @BeforeEach
    void needsAGpu() {
        CudaAvailability a = CudaAvailability.probe();
        Assumptions.assumeTrue(a.available(), a.reason());
    }

    /** As the pool counts it on CUDA: bf16. */
    private static long bytesPerToken() { return 2L * 2 * MODEL.numLayers() * MODEL.numKvHeads() * MODEL.headDim(); }

    private static SharedKvPages pages() { return new SharedKvPages(PAGE_BYTES, PAGES); }

    private static InferenceEngine engine(CudaBackend cuda, SharedKvPages pages) {
        return new InferenceEngine(MODEL, new SyntheticWeights(MODEL, 7, DType.BF16), cuda,
                new EngineOptions(pages.tokensPerPage(bytesPerToken()), pages.pageCount(), null, pages));
    }

    private static int[] prompt(int length) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) ids[i] = Math.floorMod(i * 37 + 11, MODEL.vocabSize());
        return ids;
    }

    /** The greedy tokens of a fixed cache of the same block size on a device that is one allocation. */
    private static int[] withAFixedCache(int[] prompt, int maxTokens) {
        int blockSize = pages().tokensPerPage(bytesPerToken());
        try (CudaBackend cuda = new CudaBackend(CudaDevice.open(0, CudaConfig.oneAllocation(0.3)), true);
             InferenceEngine e = new InferenceEngine(MODEL, new SyntheticWeights(MODEL, 7, DType.BF16), cuda,
                     new EngineOptions(blockSize, (prompt.length + maxTokens) / blockSize + 2, null))) {
            return e.generate(prompt, SamplingParams.greedy(maxTokens)).ids();
        }
    }

    /** The span behind the one growing KV cache on {@code cuda}. */
    private static OnDemandSpan kvSpan(CudaBackend cuda) {
        return ((CudaKvCache) cuda.kvCaches().getLast()).span().orElseThrow();
    }

    @Test
    void kvMemoryFollowsTheBlocksInUseAndTheTokensMatchAFixedCache() {
        int[] prompt = prompt(700);
        int[] expected = withAFixedCache(prompt, 40);
        try (CudaBackend cuda = new CudaBackend(CudaDevice.open(0, new CudaConfig(0.3, true)), true)) {
            assertTrue(cuda.kvCacheGrowsWithUse());
            assertEquals(2, cuda.kvBytesPerElement());
            ChunkBudget budget = cuda.device().chunks().orElseThrow();
            SharedKvPages pages = pages();
            long before = budget.bytesInUse();
            try (InferenceEngine e = engine(cuda, pages)) {
                OnDemandSpan kv = kvSpan(cuda);
                long blockBytes = (long) e.blockSize() * bytesPerToken();
                assertEquals(85, e.blockSize());
                assertTrue(kv.bytes() >= PAGES * blockBytes, "the cache addresses every page of the device");
                assertEquals(0, kv.mappedChunks(), "and maps none of them before a sequence takes a block");
                assertTrue(budget.bytesInUse() - before < PAGES * blockBytes / 4, "the weights, not the KV: " + (budget.bytesInUse() - before));

                Sequence s = e.newSequence(prompt, SamplingParams.greedy(40));
                long beforePrefill = budget.bytesInUse();
                assertInstanceOf(StepResult.Stepped.class, e.prefill(Batch.of(s)));
                long blocks = (s.cachedTokens() + e.blockSize() - 1) / e.blockSize();
                long mapped = kv.mappedChunks() * budget.chunkBytes();
                assertTrue(mapped >= blocks * blockBytes && mapped <= blocks * blockBytes + budget.chunkBytes(),
                        blocks + " blocks of " + blockBytes + " bytes mapped in whole chunks: " + mapped);
                assertTrue(budget.bytesInUse() - beforePrefill >= mapped, "KV draws on the budget the weights use");
                while (!s.isFinished()) assertInstanceOf(StepResult.Stepped.class, e.decode(Batch.of(s)));
                assertArrayEquals(expected, s.generatedIds(), "the same kernels over mapped blocks give the same tokens");
                assertEquals(0, pages.usedPages());
                assertEquals(0, kv.mappedChunks(), "a finished sequence's KV memory is given back");
            }
        }
    }

    @Test
    void aSequenceSwappedOutAndBackResumesWithTheSameTokens() {
        int[] prompt = prompt(300);
        int[] expected = withAFixedCache(prompt, 30);
        try (CudaBackend cuda = new CudaBackend(CudaDevice.open(0, new CudaConfig(0.3, true)), true)) {
            SharedKvPages pages = pages();
            try (InferenceEngine e = engine(cuda, pages)) {
                OnDemandSpan kv = kvSpan(cuda);
                Sequence s = e.newSequence(prompt, SamplingParams.greedy(30));
                e.prefill(Batch.of(s));
                for (int i = 0; i < 10; i++) e.decode(Batch.of(s));
                KvSwap parked = e.swapOut(s);
                assertEquals(0, kv.mappedChunks(), "swapped out: no KV memory held on the device");
                assertTrue(e.swapIn(s, parked).granted());
                while (!s.isFinished()) assertInstanceOf(StepResult.Stepped.class, e.decode(Batch.of(s)));
                assertArrayEquals(expected, s.generatedIds());
            }
            assertEquals(0, pages.usedPages());
        }
    }

    /**
     * A model's weights released together (one wait, then every region freed, its chunks kept as
     * spares) and loaded again onto them compute the same tokens, as they do after the spares were
     * unmapped: what each eviction and reload of a switch does.
     */
    @Test
    void weightsReleasedTogetherGiveTheirMemoryBackAndReloadToTheSameTokens() {
        int[] prompt = prompt(200);
        int[] expected = withAFixedCache(prompt, 20);
        try (CudaBackend cuda = new CudaBackend(CudaDevice.open(0, new CudaConfig(0.3, true)), true)) {
            ChunkBudget budget = cuda.device().chunks().orElseThrow();
            try (InferenceEngine e = engine(cuda, pages())) {
                assertArrayEquals(expected, e.generate(prompt, SamplingParams.greedy(20)).ids());
                long weightBytes = e.runner().weights().bytesReadPerDecodeStep();
                long held = budget.bytesInUse();
                e.releaseWeights();
                // a chunk shared with a workspace region at either end of the weights stays in use
                long spare = cuda.device().arena().spareBytes();
                assertTrue(spare >= weightBytes - 4 * budget.chunkBytes(), "the weights' chunks are spares: " + spare + " of " + weightBytes + " bytes");
                assertEquals(held, budget.bytesInUse(), "still mapped, for the next load");
                e.reloadWeights(new SyntheticWeights(MODEL, 7, DType.BF16));
                cuda.awaitWeightLoads();
                assertTrue(cuda.device().arena().spareBytes() < spare, "the reload landed on the spares");
                assertTrue(budget.bytesInUse() <= held, "and mapped no more memory than the first load held");
                assertArrayEquals(expected, e.generate(prompt, SamplingParams.greedy(20)).ids(), "reloaded weights, same tokens");
                e.releaseWeights();
                assertTrue(budget.reclaimSpares() * budget.chunkBytes() >= weightBytes - 4 * budget.chunkBytes(), "spares unmap on demand");
                assertTrue(held - budget.bytesInUse() >= weightBytes - 4 * budget.chunkBytes(), "and their memory goes back to the budget");
                e.reloadWeights(new SyntheticWeights(MODEL, 7, DType.BF16));
                cuda.awaitWeightLoads();
                assertArrayEquals(expected, e.generate(prompt, SamplingParams.greedy(20)).ids(), "mapped afresh, same tokens");
            }
        }
    }

    /**
     * Another thread releases and reloads a second model's weights while steps run and are captured
     * as graphs: the releases' waits never meet a capture (on the H100 a context-wide wait from the
     * copy thread invalidated the compute thread's capture and failed itself, and the half-done
     * unmap then broke every later load).
     */
    @Test
    void weightsReleasedOnAnotherThreadWhileStepsAreCapturedBreakNothing() throws Exception {
        int[] prompt = prompt(64);
        int[] expected = withAFixedCache(prompt, 48);
        try (CudaBackend cuda = new CudaBackend(CudaDevice.open(0, new CudaConfig(0.3, true)), true);
             InferenceEngine running = engine(cuda, pages());
             InferenceEngine switched = engine(cuda, pages())) {
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                var cycles = other.submit(() -> {
                    int n = 0;
                    while (!done.get() || n < 2) {
                        switched.releaseWeights();
                        switched.reloadWeights(new SyntheticWeights(MODEL, 7, DType.BF16));
                        cuda.awaitWeightLoads();
                        n++;
                    }
                    return n;
                });
                for (int round = 0; round < 3; round++) {
                    assertArrayEquals(expected, running.generate(prompt, SamplingParams.greedy(48)).ids(), "round " + round);
                }
                done.set(true);
                assertTrue(cycles.get(300, java.util.concurrent.TimeUnit.SECONDS) >= 2, "the other thread released and reloaded meanwhile");
            } finally {
                done.set(true);
                other.shutdown();
            }
            assertArrayEquals(expected, switched.generate(prompt, SamplingParams.greedy(48)).ids(), "the switched model still computes");
        }
    }
}
