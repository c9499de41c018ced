package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.engine.FinishReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A device whose memory runs out while the pool's pages are still free (memory on demand, with more
 * in use than the pool's memory setting leaves) fails the newest request of the step with an honest
 * error and steps the rest: the other request of the batch completes with its exact tokens, and no
 * page or block is left behind.
 */
class DeviceOutOfMemoryTest {
    private static final long PAGE_BYTES = 8192; // 16 tokens of tiny-llama a page

    @AfterEach
    void restore() {
        MemoryLimitedCpuProvider.kvBlocks = Integer.MAX_VALUE;
        MemoryLimitedCpuProvider.memoryBytes = Long.MAX_VALUE;
    }

    @Test
    void aMemorySettingPastWhatTheDeviceHoldsIsRefusedAtStart() {
        MemoryLimitedCpuProvider.memoryBytes = 4L << 30;
        PoolOptions options = Reference.options().withBackend("cpu-limited").withMemoryBytes(6L << 30);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelPool(options).close());
        assertTrue(e.getMessage().startsWith("aegaeon.pool.memory-bytes is 6442450944 but cpu device 0 holds 4294967296 bytes"),
                e.getMessage());
        new ModelPool(options.withMemoryBytes(4L << 30)).close();
    }

    @Test
    void theNewestRequestFailsAndTheOthersOfTheStepGoOn() throws Exception {
        // Two 20-token prompts growing to 140 tokens need 9 blocks each; the device backs 12 in all:
        // either alone fits, both do not, and each runs long enough that they surely overlap.
        MemoryLimitedCpuProvider.kvBlocks = 12;
        PoolOptions options = Reference.options().withBackend("cpu-limited").withKvTokensPerModel(0).withKvPageBytes(PAGE_BYTES);
        int[][] prompts = {Reference.prompt(501, 20), Reference.prompt(502, 20)};
        for (int[] p : prompts) {
            assertEquals(120, Reference.alone("tiny-llama", 9, p, 120).length, "a prompt whose answer runs to max_tokens");
        }
        try (ModelPool pool = new ModelPool(options)) {
            pool.register(Reference.synthetic("m", "tiny-llama", 9));
            List<CollectingSink> sinks = new ArrayList<>();
            for (int[] p : prompts) {
                CollectingSink sink = new CollectingSink();
                pool.submit("m", p, Reference.greedy(120), sink);
                sinks.add(sink);
            }
            int completed = 0;
            List<String> errors = new ArrayList<>();
            for (int i = 0; i < sinks.size(); i++) {
                try {
                    assertEquals(FinishReason.LENGTH, sinks.get(i).await());
                    assertArrayEquals(Reference.alone("tiny-llama", 9, prompts[i], 120), sinks.get(i).tokens());
                    completed++;
                } catch (ExecutionException e) {
                    errors.add(e.getCause().getMessage());
                }
            }
            assertEquals(1, completed, "one request fails, not the whole step: " + errors);
            assertEquals(1, errors.size());
            assertTrue(errors.getFirst().contains("no memory left for the KV cache of model m"), errors.toString());
            KvPageAuditor.assertNoPageHeld(pool);
        }
    }
}
