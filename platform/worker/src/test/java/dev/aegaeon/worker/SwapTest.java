package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.engine.Batch;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.engine.KvSwap;
import dev.aegaeon.runtime.engine.Sequence;
import dev.aegaeon.runtime.engine.StepResult;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import dev.aegaeon.scheduler.SchedulerConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** KV swapped to host memory and back continues the token sequence exactly as if never moved. */
class SwapTest {

    @Test
    void engineSwapOutAndInContinuesExactly() {
        ModelConfig config = SyntheticShapes.config("tiny-llama");
        int[] prompt = Reference.prompt(3, 21);
        int[] expected = Reference.alone("tiny-llama", 5, prompt, 30);
        try (SyntheticWeights weights = new SyntheticWeights(config, 5);
             InferenceEngine engine = new InferenceEngine(config, weights, new CpuBackend(), new EngineOptions(4, 64, null))) {
            Sequence s = engine.newSequence(prompt, Reference.greedy(30).withStopTokenIds(config.eosTokenIds()));
            Sequence other = engine.newSequence(Reference.prompt(4, 9), Reference.greedy(30));
            List<Integer> got = new ArrayList<>();
            collect(engine.prefill(Batch.of(s)), got);
            engine.prefill(Batch.of(other));
            int free = engine.freeBlocks();
            for (int step = 1; !s.isFinished(); step++) {
                if (step % 5 == 0) {
                    KvSwap host = engine.swapOut(s);
                    assertTrue(engine.freeBlocks() > free, "swap-out frees the device blocks");
                    // Another sequence takes (and rewrites) the freed blocks while s is in host memory.
                    engine.decode(Batch.of(other));
                    engine.cancel(other);
                    other = engine.newSequence(Reference.prompt(step, 13), Reference.greedy(30));
                    engine.prefill(Batch.of(other));
                    assertTrue(engine.swapIn(s, host).granted());
                }
                collect(engine.decode(Batch.of(s)), got);
            }
            assertArrayEquals(expected, got.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void engineRecomputeAfterDropContinuesExactly() {
        ModelConfig config = SyntheticShapes.config("tiny-qwen3");
        int[] prompt = Reference.prompt(5, 17);
        int[] expected = Reference.alone("tiny-qwen3", 9, prompt, 30);
        try (SyntheticWeights weights = new SyntheticWeights(config, 9);
             InferenceEngine engine = new InferenceEngine(config, weights, new CpuBackend(), new EngineOptions(4, 64, null))) {
            Sequence s = engine.newSequence(prompt, Reference.greedy(30).withStopTokenIds(config.eosTokenIds()));
            List<Integer> got = new ArrayList<>();
            collect(engine.prefill(Batch.of(s)), got);
            int free = engine.freeBlocks();
            for (int step = 1; !s.isFinished(); step++) {
                if (step % 4 == 0) {
                    KvSwap dropped = engine.dropForRecompute(s);
                    assertEquals(0, dropped.bytes(), "a dropped KV holds no host memory");
                    assertTrue(engine.freeBlocks() > free, "the drop frees the device blocks");
                    // Another sequence takes (and rewrites) the freed blocks before s computes its KV again.
                    Sequence other = engine.newSequence(Reference.prompt(step, 13), Reference.greedy(2));
                    engine.prefill(Batch.of(other));
                    engine.cancel(other);
                    assertTrue(engine.swapIn(s, dropped).granted());
                }
                collect(engine.decode(Batch.of(s)), got);
            }
            assertArrayEquals(expected, got.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void poolRecomputesWhenTheHostBudgetForSwappedKvIsSpent() throws Exception {
        // No host memory for swapped KV: every swap-out at a turn end drops the KV, every swap-in recomputes it.
        PoolOptions options = Reference.options().withScheduler(SchedulerConfig.paper()).withKvSwapBytes(0);
        String[] shapes = {"tiny-llama", "tiny-qwen3"};
        try (ModelPool pool = new ModelPool(options)) {
            for (int m = 0; m < 2; m++) pool.register(Reference.synthetic("r" + m, shapes[m], 80 + m));
            List<CollectingSink> sinks = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int[] prompt = Reference.prompt(300 + i, 5 + i);
                CollectingSink sink = new CollectingSink();
                pool.submit("r" + i % 2, prompt, Reference.greedy(100), sink);
                sinks.add(sink);
                prompts.add(prompt);
            }
            for (int i = 0; i < sinks.size(); i++) {
                sinks.get(i).await();
                assertArrayEquals(Reference.alone(shapes[i % 2], 80 + i % 2, prompts.get(i), 100), sinks.get(i).tokens(), "request " + i);
            }
            assertTrue(pool.kvRecomputes() > 0, "the pool dropped KV for recompute (else this test proves nothing)");
            assertEquals(pool.kvSwaps(), pool.kvRecomputes(), "with no host budget every swap-out is a recompute");
            assertEquals(0, pool.kvSwapHostBytes());
            assertEquals(0, pool.status("r0").kvBlocksUsed());
            assertEquals(0, pool.status("r1").kvBlocksUsed());
        }
    }

    private static void collect(StepResult r, List<Integer> out) {
        out.add(((StepResult.Stepped) r).tokens().getFirst().tokenId());
    }

    @Test
    void poolSwapsKvAtTurnEndsAndOutputsStayExact() throws Exception {
        // The paper's policy: one model resident at a time and KV swapped out at every turn end.
        PoolOptions options = Reference.options().withScheduler(SchedulerConfig.paper());
        String[] shapes = {"tiny-llama", "tiny-qwen3"};
        try (ModelPool pool = new ModelPool(options)) {
            for (int m = 0; m < 2; m++) pool.register(Reference.synthetic("s" + m, shapes[m], 70 + m));
            List<CollectingSink> sinks = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int m = i % 2;
                int[] prompt = Reference.prompt(200 + i, 6 + i);
                CollectingSink sink = new CollectingSink();
                pool.submit("s" + m, prompt, Reference.greedy(120), sink);
                sinks.add(sink);
                prompts.add(prompt);
            }
            for (int i = 0; i < sinks.size(); i++) {
                sinks.get(i).await();
                assertArrayEquals(Reference.alone(shapes[i % 2], 70 + i % 2, prompts.get(i), 120), sinks.get(i).tokens(), "request " + i);
            }
            assertTrue(pool.kvSwaps() > 0, "the scheduler swapped KV (else this test proves nothing)");
            assertEquals(0, pool.status("s0").kvBlocksUsed());
        }
    }
}
