package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.sampling.DecodedLogprobs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Nothing leaks from the shared KV pool: after a run under memory pressure (swaps) where requests
 * are cancelled while waiting or being prefilled, right after their first token, and mid-decode,
 * every page of the device is free again once each request had its terminal call.
 */
class KvPageAuditTest {
    private static final String[] SHAPES = {"tiny-llama", "tiny-qwen3"};
    private static final long PAGE_BYTES = 8192;

    /** Cancels its own request when token {@code cancelAt} arrives (the worker's thread, between steps). */
    private static final class CancellingSink extends CollectingSink {
        final int cancelAt;
        final AtomicReference<RequestHandle> handle = new AtomicReference<>();

        CancellingSink(int cancelAt) { this.cancelAt = cancelAt; }

        @Override
        public synchronized void onToken(int index, int tokenId, String delta, DecodedLogprobs logprobs) {
            super.onToken(index, tokenId, delta, logprobs);
            if (index == cancelAt) handle.get().cancel();
        }
    }

    @Test
    void everyPageIsFreeAfterCancellationsInEveryPhase() throws Exception {
        long weights = 0;
        for (int m = 0; m < 2; m++) weights += ModelSizes.syntheticWeightBytes("s" + m, SyntheticShapes.config(SHAPES[m]));
        PoolOptions options = Reference.options().withKvTokensPerModel(0).withKvPageBytes(PAGE_BYTES)
                .withMemoryBytes(weights + 24 * PAGE_BYTES);
        try (ModelPool pool = new ModelPool(options)) {
            for (int m = 0; m < 2; m++) pool.register(Reference.synthetic("s" + m, SHAPES[m], 60 + m));
            List<CancellingSink> sinks = new ArrayList<>();
            List<Integer> cancelAt = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                // -1: cancelled at once (waiting, or mid-prefill); 0: after the prefill's token; 7: mid-decode; 1000: never
                int at = switch (i % 4) { case 0 -> -1; case 1 -> 0; case 2 -> 7; default -> 1000; };
                CancellingSink sink = new CancellingSink(at);
                RequestHandle h = pool.submit("s" + i % 2, Reference.prompt(500 + i, 30 + 5 * i), Reference.greedy(60), sink);
                sink.handle.set(h);
                if (at < 0) h.cancel();
                sinks.add(sink);
                cancelAt.add(at);
            }
            for (int i = 0; i < sinks.size(); i++) {
                FinishReason reason = sinks.get(i).await();
                if (cancelAt.get(i) == 1000) assertTrue(reason != FinishReason.CANCELLED, "request " + i + " ran to its end");
                if (cancelAt.get(i) == 0 || cancelAt.get(i) == 7) {
                    assertEquals(FinishReason.CANCELLED, reason, "request " + i);
                    assertEquals(cancelAt.get(i) + 1, sinks.get(i).tokens().length, "no token after the cancel, request " + i);
                }
            }
            KvPageAuditor.assertNoPageHeld(pool);
        }
    }
}
