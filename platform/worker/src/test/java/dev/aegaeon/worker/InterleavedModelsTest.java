package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.engine.FinishReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several models through the real scheduler give exactly what each gives alone. */
class InterleavedModelsTest {
    private static final String[] SHAPES = {"tiny-llama", "tiny-qwen2", "tiny-qwen3"};

    @Test
    void interleavedModelsMatchEachModelRunAlone() throws Exception {
        try (ModelPool pool = new ModelPool(Reference.options())) {
            for (int m = 0; m < SHAPES.length; m++) pool.register(Reference.synthetic("m" + m, SHAPES[m], 10 + m));
            List<int[]> prompts = new ArrayList<>();
            List<CollectingSink> sinks = new ArrayList<>();
            List<Integer> modelOf = new ArrayList<>();
            // Submitted round-robin over the models so their prefill groups and decode batches interleave.
            for (int i = 0; i < 4; i++) {
                for (int m = 0; m < SHAPES.length; m++) {
                    int[] prompt = Reference.prompt(100 * m + i, 5 + 3 * i);
                    CollectingSink sink = new CollectingSink();
                    pool.submit("m" + m, prompt, Reference.greedy(20 + i), sink);
                    prompts.add(prompt);
                    sinks.add(sink);
                    modelOf.add(m);
                }
            }
            for (int k = 0; k < sinks.size(); k++) {
                CollectingSink sink = sinks.get(k);
                FinishReason reason = sink.await();
                int m = modelOf.get(k);
                int[] expected = Reference.alone(SHAPES[m], 10 + m, prompts.get(k), 20 + k / SHAPES.length);
                assertArrayEquals(expected, sink.tokens(), "request " + k + " of model m" + m);
                assertEquals(expected.length, sink.completionTokens);
                assertTrue(reason == FinishReason.LENGTH || reason == FinishReason.STOP);
            }
            for (int m = 0; m < SHAPES.length; m++) {
                ModelStatus s = pool.status("m" + m);
                assertEquals(4, s.requests());
                assertTrue(s.switches() >= 1, "m" + m + " was loaded");
                assertTrue(s.loadSeconds() > 0);
                assertTrue(s.sloAttainment() >= 0 && s.sloAttainment() <= 1, "attainment " + s.sloAttainment());
            }
        }
    }

    @Test
    void threeModelsWithManyConcurrentRequestsEachGetTheirOwnModelsOutput() throws Exception {
        int perModel = 12;
        try (ModelPool pool = new ModelPool(Reference.options())) {
            // The same shape with different seeds: only the right weights give the right tokens.
            for (int m = 0; m < 3; m++) pool.register(Reference.synthetic("f" + m, "tiny-llama", 50 + m));
            int[] prompt = Reference.prompt(7, 9);
            List<List<CollectingSink>> sinks = new ArrayList<>();
            for (int m = 0; m < 3; m++) sinks.add(new ArrayList<>());
            List<Thread> callers = new ArrayList<>();
            for (int m = 0; m < 3; m++) {
                int model = m;
                for (int i = 0; i < perModel; i++) {
                    CollectingSink sink = new CollectingSink();
                    synchronized (sinks) {
                        sinks.get(model).add(sink);
                    }
                    callers.add(Thread.startVirtualThread(() -> pool.submit("f" + model, prompt, Reference.greedy(12), sink)));
                }
            }
            for (Thread t : callers) t.join();
            for (int m = 0; m < 3; m++) {
                int[] expected = Reference.alone("tiny-llama", 50 + m, prompt, 12);
                for (CollectingSink sink : sinks.get(m)) {
                    sink.await();
                    assertArrayEquals(expected, sink.tokens(), "a request of f" + m);
                }
            }
            int[] a = Reference.alone("tiny-llama", 50, prompt, 12), b = Reference.alone("tiny-llama", 51, prompt, 12);
            assertTrue(!java.util.Arrays.equals(a, b), "the seeds must give different outputs, else the test proves nothing");
            for (int m = 0; m < 3; m++) assertEquals(0, pool.status("f" + m).kvBlocksUsed(), "all KV released");
        }
    }
}
