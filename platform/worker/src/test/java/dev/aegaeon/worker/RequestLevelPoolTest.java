package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.engine.FinishReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pool under the request-level baseline: every request still gets its model's solo greedy
 * tokens, and the device changes model only at request boundaries: between a request's first and
 * last token no other model produces a token.
 */
class RequestLevelPoolTest {

    /** A token seen by the pool's compute thread: which request, of which model. */
    private record Delivery(String model, int request) {}

    /** Forwards to a collecting sink and appends each token to the shared, ordered log. */
    private record LoggingSink(CollectingSink inner, List<Delivery> log, Delivery who) implements TokenSink {
        @Override
        public void onToken(int index, int tokenId, String text, dev.aegaeon.runtime.sampling.DecodedLogprobs logprobs) {
            synchronized (log) {
                log.add(who);
            }
            inner.onToken(index, tokenId, text, logprobs);
        }

        @Override public void onComplete(FinishReason reason, int promptTokens, int completionTokens) {
            inner.onComplete(reason, promptTokens, completionTokens);
        }

        @Override public void onError(String message, Throwable cause) { inner.onError(message, cause); }
    }

    @Test
    void interleavedRequestsOfTwoModelsGetSoloTokensAndSwitchOnlyBetweenRequests() throws Exception {
        String[] shapes = {"tiny-llama", "tiny-qwen2"};
        try (ModelPool pool = new ModelPool(Reference.options().withPolicy(PoolPolicy.REQUEST_LEVEL))) {
            for (int m = 0; m < 2; m++) pool.register(Reference.synthetic("m" + m, shapes[m], 40 + m));
            List<Delivery> log = new ArrayList<>();
            List<CollectingSink> sinks = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int m = i % 2; // m0, m1, m0, m1, ...: arrivals alternate models
                int[] prompt = Reference.prompt(70 + i, 4 + i);
                CollectingSink sink = new CollectingSink();
                pool.submit("m" + m, prompt, Reference.greedy(8 + i), new LoggingSink(sink, log, new Delivery("m" + m, i)));
                sinks.add(sink);
                prompts.add(prompt);
            }
            for (int i = 0; i < sinks.size(); i++) {
                sinks.get(i).await();
                int m = i % 2;
                assertArrayEquals(Reference.alone(shapes[m], 40 + m, prompts.get(i), 8 + i), sinks.get(i).tokens(), "request " + i);
            }
            List<Delivery> order;
            synchronized (log) {
                order = List.copyOf(log);
            }
            for (int i = 0; i < sinks.size(); i++) {
                int first = -1, last = -1;
                for (int k = 0; k < order.size(); k++) {
                    if (order.get(k).request() != i) continue;
                    if (first < 0) first = k;
                    last = k;
                }
                String model = order.get(first).model();
                for (int k = first; k <= last; k++) {
                    assertEquals(model, order.get(k).model(), "request " + i + " was interrupted by another model at token " + k);
                }
            }
            long modelChanges = 0;
            for (int k = 1; k < order.size(); k++) if (!order.get(k).model().equals(order.get(k - 1).model())) modelChanges++;
            assertTrue(modelChanges >= 1, "both models were served");
            for (int m = 0; m < 2; m++) {
                CancellationTest.awaitIdle(pool, "m" + m);
                assertTrue(pool.status("m" + m).switches() >= 1, "m" + m + " was loaded");
                assertEquals(3, pool.status("m" + m).requests());
            }
        }
    }

    @Test
    void idleModelsScaleToZeroAndComeBackUnderRequestLevel() throws Exception {
        try (ModelPool pool = new ModelPool(Reference.options().withPolicy(PoolPolicy.REQUEST_LEVEL))) {
            pool.register(new ModelFunction("k", new WeightOrigin.Synthetic("tiny-mistral", 3), dev.aegaeon.scheduler.SloTargets.PAPER_DEFAULT,
                    1, java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(60)));
            assertEquals(ModelState.HOT, awaitState(pool, "k", ModelState.HOT), "minScale 1 preloads under request-level too");
            int[] prompt = Reference.prompt(5, 6);
            CollectingSink sink = new CollectingSink();
            pool.submit("k", prompt, Reference.greedy(6), sink);
            sink.await();
            assertArrayEquals(Reference.alone("tiny-mistral", 3, prompt, 6), sink.tokens());
        }
    }

    @Test
    void policyNamesParse() {
        assertEquals(PoolPolicy.AEGAEON, PoolPolicy.parse("aegaeon"));
        assertEquals(PoolPolicy.REQUEST_LEVEL, PoolPolicy.parse(" Request-Level "));
        assertThrows(IllegalArgumentException.class, () -> PoolPolicy.parse("round-robin"));
        assertEquals(PoolPolicy.AEGAEON, PoolOptions.defaults().policy());
    }

    private static ModelState awaitState(ModelPool pool, String name, ModelState want) throws InterruptedException {
        for (int i = 0; i < 500 && pool.status(name).state() != want; i++) Thread.sleep(20);
        return pool.status(name).state();
    }
}
