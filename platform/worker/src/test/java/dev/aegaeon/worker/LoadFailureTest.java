package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** A load that ends in an Error (here OutOfMemoryError) still ends: its requests fail with the reason instead of waiting forever. */
class LoadFailureTest {
    /** tiny-llama: 2 KV heads x 16 dims; this many KV positions make one layer's K array 2^31 - 2^20 floats (8 GiB). */
    private static final int KV_TOKENS = 67_000_000;
    private static final long LAYER_BYTES = (long) ((KV_TOKENS + 15) / 16 + 1) * 16 * 2 * 16 * Float.BYTES;

    @Test
    void aRequestWhoseLoadRunsOutOfMemoryFailsWithTheReason() throws Exception {
        // The allocation must be refused outright (larger than the whole heap), never half-made.
        assumeTrue(Runtime.getRuntime().maxMemory() < LAYER_BYTES,
                "the test JVM's heap (" + Runtime.getRuntime().maxMemory() + " bytes) could hold the " + LAYER_BYTES + "-byte KV array");
        // A fixed per-model pool (no shared pages) allocates its whole KV cache when the model loads.
        try (ModelPool pool = new ModelPool(Reference.options().withKvTokensPerModel(KV_TOKENS).withKvPageBytes(0))) {
            pool.register(Reference.synthetic("huge-kv", "tiny-llama", 1));
            CollectingSink sink = new CollectingSink();
            pool.submit("huge-kv", Reference.prompt(1, 4), Reference.greedy(2), sink);
            ExecutionException e = assertThrows(ExecutionException.class, sink::await, "ends, well before its 120 s await");
            String message = String.valueOf(e.getCause().getMessage());
            assertTrue(message.contains("failed to load") && message.contains("OutOfMemoryError"), message);
        }
    }
}
