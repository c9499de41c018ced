package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.engine.FinishReason;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Cancellation ends a request promptly and frees its KV blocks; bad requests are refused up front. */
class CancellationTest {

    @Test
    void cancellingARunningRequestFreesItsBlocks() throws Exception {
        try (ModelPool pool = new ModelPool(Reference.options())) {
            pool.register(Reference.synthetic("c", "tiny-llama", 1));
            CollectingSink sink = new CollectingSink();
            // Never stops on its own within the test: 2000 tokens, no EOS ids (llama-shaped synthetic EOS ids are rare).
            RequestHandle h = pool.submit("c", Reference.prompt(1, 40), Reference.greedy(1900), sink);
            assertTrue(sink.firstToken.await(60, TimeUnit.SECONDS), "the request started");
            assertTrue(pool.status("c").kvBlocksUsed() > 0, "a running request holds KV blocks");
            h.cancel();
            h.cancel(); // idempotent
            assertEquals(FinishReason.CANCELLED, sink.await());
            assertTrue(sink.completionTokens < 1900, "cancelled before its end");
            awaitIdle(pool, "c");
            ModelStatus s = pool.status("c");
            assertEquals(0, s.kvBlocksUsed(), "KV blocks freed");
            assertEquals(0, s.running() + s.waiting());
        }
    }

    @Test
    void cancellingBeforeTheFirstTokenEndsTheRequest() throws Exception {
        try (ModelPool pool = new ModelPool(Reference.options())) {
            pool.register(Reference.synthetic("c", "tiny-qwen3", 2));
            CollectingSink sink = new CollectingSink();
            pool.submit("c", Reference.prompt(2, 8), Reference.greedy(1000), sink).cancel();
            assertEquals(FinishReason.CANCELLED, sink.await());
            awaitIdle(pool, "c");
            assertEquals(0, pool.status("c").kvBlocksUsed());
        }
    }

    @Test
    void badRequestsAreRefusedWithAReason() {
        try (ModelPool pool = new ModelPool(Reference.options())) {
            pool.register(Reference.synthetic("c", "tiny-llama", 1));
            CollectingSink sink = new CollectingSink();
            assertThrows(NoSuchElementException.class, () -> pool.submit("nope", new int[] {1}, Reference.greedy(4), sink));
            var e = assertThrows(IllegalArgumentException.class, () -> pool.submit("c", new int[] {1, 99999}, Reference.greedy(4), sink));
            assertTrue(e.getMessage().contains("99999"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pool.submit("c", new int[0], Reference.greedy(4), sink));
            var tooLong = assertThrows(IllegalArgumentException.class, () -> pool.submit("c", new int[] {1, 2}, Reference.greedy(5000), sink));
            assertTrue(tooLong.getMessage().contains("max_tokens"), tooLong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pool.register(Reference.synthetic("x", "no-such-shape", 1)));
            assertEquals(0, pool.status("c").requests(), "nothing was queued");
        }
    }

    static void awaitIdle(ModelPool pool, String model) throws InterruptedException {
        for (int i = 0; i < 600 && pool.status(model).state() == ModelState.ACTIVE; i++) Thread.sleep(20);
    }
}
