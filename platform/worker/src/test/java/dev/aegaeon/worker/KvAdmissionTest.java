package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A model's engine has a fixed KV block pool while the scheduler budgets KV over the whole device:
 * more concurrent requests than the pool holds must wait for room, never fail, and each must get
 * exactly the tokens it gets alone.
 */
class KvAdmissionTest {

    @Test
    void requestsBeyondTheModelsKvPoolWaitAndFinishExactly() throws Exception {
        // 64 KV tokens -> 5 blocks of 16; each request may grow to 8 + 40 = 48 tokens = 3 blocks,
        // so only one runs at a time although the device budget (8 GiB) would admit them all.
        PoolOptions options = Reference.options().withKvTokensPerModel(64);
        try (ModelPool pool = new ModelPool(options)) {
            pool.register(Reference.synthetic("small", "tiny-llama", 11));
            List<CollectingSink> sinks = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int[] prompt = Reference.prompt(300 + i, 8);
                CollectingSink sink = new CollectingSink();
                pool.submit("small", prompt, Reference.greedy(40), sink);
                sinks.add(sink);
                prompts.add(prompt);
            }
            for (int i = 0; i < sinks.size(); i++) {
                sinks.get(i).await(); // fails the test on onError ("the KV cache ... is full")
                assertArrayEquals(Reference.alone("tiny-llama", 11, prompts.get(i), 40), sinks.get(i).tokens(), "request " + i);
            }
            CancellationTest.awaitIdle(pool, "small");
            assertEquals(0, pool.status("small").kvBlocksUsed());
        }
    }

    @Test
    void aRequestCancelledWhileWaitingForRoomEndsAndLetsTheNextOneIn() throws Exception {
        PoolOptions options = Reference.options().withKvTokensPerModel(64);
        try (ModelPool pool = new ModelPool(options)) {
            pool.register(Reference.synthetic("small", "tiny-llama", 11));
            CollectingSink first = new CollectingSink(), cancelled = new CollectingSink(), last = new CollectingSink();
            int[] p1 = Reference.prompt(1, 8), p3 = Reference.prompt(3, 8);
            pool.submit("small", p1, Reference.greedy(40), first);
            pool.submit("small", Reference.prompt(2, 8), Reference.greedy(40), cancelled).cancel();
            pool.submit("small", p3, Reference.greedy(40), last);
            assertEquals(dev.aegaeon.runtime.engine.FinishReason.CANCELLED, cancelled.await());
            first.await();
            last.await();
            assertArrayEquals(Reference.alone("tiny-llama", 11, p1, 40), first.tokens());
            assertArrayEquals(Reference.alone("tiny-llama", 11, p3, 40), last.tokens());
        }
    }
}
