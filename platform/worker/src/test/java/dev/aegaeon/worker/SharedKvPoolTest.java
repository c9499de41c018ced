package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.engine.SharedKvPages;
import dev.aegaeon.runtime.sampling.DecodedLogprobs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Models of different KV shapes on one CPU device draw their KV from one page pool, page by page as
 * tokens are produced, with no per-model pool to size. The pool is what the device's memory leaves
 * beside the resident weights, and the scheduler counts KV in the same whole pages, so when memory
 * runs short it swaps sequences to host memory (resumed with the same greedy tokens) before an
 * engine finds no page: with per-token accounting in the scheduler instead, the pressure test's
 * requests fail with "KV cache full".
 */
class SharedKvPoolTest {
    private static final String[] SHAPES = {"tiny-llama", "tiny-qwen3"}; // KV heads x 16 dims vs x 32 dims
    private static final long PAGE_BYTES = 8192;

    private static PoolOptions uncapped() {
        return Reference.options().withKvTokensPerModel(0).withKvPageBytes(PAGE_BYTES);
    }

    /** Records, on the worker's thread as each token arrives, whether both models held pages of the one pool at once. */
    private static final class SharingSink extends CollectingSink {
        final ModelPool pool;
        final AtomicBoolean bothHeld;
        final AtomicInteger peakPages;

        SharingSink(ModelPool pool, AtomicBoolean bothHeld, AtomicInteger peakPages) {
            this.pool = pool;
            this.bothHeld = bothHeld;
            this.peakPages = peakPages;
        }

        @Override
        public synchronized void onToken(int index, int tokenId, String delta, DecodedLogprobs logprobs) {
            SharedKvPages pages = pool.kvPages(0).orElseThrow();
            int a = pool.kvBlocksUsed("s0", 0), b = pool.kvBlocksUsed("s1", 0);
            if (a > 0 && b > 0 && a + b == pages.usedPages()) bothHeld.set(true);
            peakPages.accumulateAndGet(pages.usedPages(), Math::max);
            super.onToken(index, tokenId, delta, logprobs);
        }
    }

    /**
     * Found in the 16-function H100 run: the platform turns peer hand-offs on by default, and that
     * alone gave a one-GPU colocated pool fixed per-model KV pools gated at admission instead of the
     * shared pages. Only a pool that hands KV off between devices keeps its pages apart.
     */
    @Test
    void peerHandOffsKeepPagesApartOnlyWherePrefillIsHandedOff() throws Exception {
        try (ModelPool colocated = new ModelPool(uncapped().withPeerHandoff(true))) {
            assertTrue(colocated.kvPages(0).isPresent(), "a colocated pool hands nothing off: one shared page pool");
            colocated.register(Reference.synthetic("s0", SHAPES[0], 60));
            CollectingSink sink = new CollectingSink();
            int[] prompt = Reference.prompt(600, 30);
            colocated.submit("s0", prompt, Reference.greedy(20), sink);
            sink.await();
            assertArrayEquals(Reference.alone(SHAPES[0], 60, prompt, 20), sink.tokens());
            KvPageAuditor.assertNoPageHeld(colocated);
        }
        PoolOptions split = uncapped().withPeerHandoff(true).withDevices(new DeviceLayout(2, DeviceLayout.Mode.DISAGGREGATED, 1));
        try (ModelPool disaggregated = new ModelPool(split)) {
            assertFalse(disaggregated.kvPages(0).isPresent(), "peer hand-offs keep their pages on the prefill device: fixed pools");
        }
    }

    @Test
    void twoKvShapesShareOnePoolWithNothingToSize() throws Exception {
        try (ModelPool pool = new ModelPool(uncapped())) {
            for (int m = 0; m < 2; m++) pool.register(Reference.synthetic("s" + m, SHAPES[m], 40 + m));
            assertNotEquals(pool.config("s0").headDim(), pool.config("s1").headDim(), "two KV shapes");
            AtomicBoolean bothHeld = new AtomicBoolean();
            AtomicInteger peak = new AtomicInteger();
            List<CollectingSink> sinks = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int[] prompt = Reference.prompt(300 + i, 20 + 7 * i);
                CollectingSink sink = new SharingSink(pool, bothHeld, peak);
                pool.submit("s" + i % 2, prompt, Reference.greedy(40), sink);
                sinks.add(sink);
                prompts.add(prompt);
            }
            for (int i = 0; i < sinks.size(); i++) {
                sinks.get(i).await();
                assertArrayEquals(Reference.alone(SHAPES[i % 2], 40 + i % 2, prompts.get(i), 40), sinks.get(i).tokens(), "request " + i);
            }
            assertTrue(bothHeld.get(), "both models' engines held pages of the one pool at the same time, and only they did");
            assertTrue(peak.get() > 0);
            KvPageAuditor.assertNoPageHeld(pool);
        }
    }

    @Test
    void aPoolUnderPressureSwapsOutAndResumesWithTheSameTokens() throws Exception {
        long weights = 0;
        for (int m = 0; m < 2; m++) weights += ModelSizes.syntheticWeightBytes("s" + m, SyntheticShapes.config(SHAPES[m]));
        // Both models' weights and 24 pages: each sequence below ends at 8 (tiny-llama) or 15 (tiny-qwen3) pages.
        int pages = 24;
        try (ModelPool pool = new ModelPool(uncapped().withMemoryBytes(weights + pages * PAGE_BYTES))) {
            for (int m = 0; m < 2; m++) pool.register(Reference.synthetic("s" + m, SHAPES[m], 50 + m));
            List<CollectingSink> sinks = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int[] prompt = Reference.prompt(400 + i, 40);
                CollectingSink sink = new CollectingSink();
                pool.submit("s" + i % 2, prompt, Reference.greedy(80), sink);
                sinks.add(sink);
                prompts.add(prompt);
            }
            for (int i = 0; i < sinks.size(); i++) {
                FinishReason reason = sinks.get(i).await(); // a "KV cache full" failure would throw here
                assertNotEquals(FinishReason.CANCELLED, reason);
                assertArrayEquals(Reference.alone(SHAPES[i % 2], 50 + i % 2, prompts.get(i), 80), sinks.get(i).tokens(), "request " + i);
            }
            assertTrue(pool.kvSwaps() > 0, "the scheduler swapped KV to host memory (else this test proves nothing)");
            KvPageAuditor.assertNoPageHeld(pool);
        }
    }
}
