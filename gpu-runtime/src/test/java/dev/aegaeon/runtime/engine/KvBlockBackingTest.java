package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.weights.DType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The block pool tells the backend which blocks need memory (a CUDA cache on demand maps them):
 * a block is backed exactly while it is allocated, and a device out of memory refuses a
 * reservation whole, taking neither pages nor blocks.
 */
class KvBlockBackingTest {
    /** Backs at most {@code limit} blocks, like a device with that much memory left. */
    private static final class LimitedBacking implements KvBlockBacking {
        final Set<Integer> backed = new HashSet<>();
        final int limit;

        LimitedBacking(int limit) { this.limit = limit; }

        @Override
        public boolean back(int[] blocks) {
            if (backed.size() + blocks.length > limit) return false;
            for (int b : blocks) assertTrue(backed.add(b), "block " + b + " backed twice");
            return true;
        }

        @Override
        public void unback(int[] blocks) {
            for (int b : blocks) assertTrue(backed.remove(b), "block " + b + " unbacked but not backed");
        }
    }

    @Test
    void blocksAreBackedWhileAllocatedAndARefusalTakesNothing() {
        LimitedBacking backing = new LimitedBacking(5);
        SharedKvPages pages = new SharedKvPages(1024, 32);
        KvBlockManager kv = new KvBlockManager(32, 4, pages, backing);
        try (InferenceEngine engine = TestModels.engine(TestModels.tiny(ModelFamily.LLAMA), DType.BF16, 4, 4)) {
            Sequence first = engine.newSequence(TestModels.prompt(8, 100, 1), SamplingParams.greedy(1));
            Sequence second = engine.newSequence(TestModels.prompt(8, 100, 2), SamplingParams.greedy(1));

            assertTrue(kv.reserve(List.of(first), new int[] {12}).granted());
            assertEquals(3, backing.backed.size());
            for (int i = 0; i < first.blockCount(); i++) assertTrue(backing.backed.contains(first.block(i)));

            assertInstanceOf(KvReservation.NoRoom.class, kv.reserve(List.of(second), new int[] {12}),
                    "the device has memory for 2 more blocks, the pages for 29");
            assertEquals(0, second.blockCount());
            assertEquals(3, pages.usedPages(), "the refused reservation gave its pages back");
            assertEquals(3, kv.usedBlocks());

            kv.release(first);
            assertEquals(Set.of(), backing.backed, "freed blocks give their memory back");
            assertEquals(0, pages.usedPages());
            assertTrue(kv.reserve(List.of(second), new int[] {12}).granted());
            assertEquals(3, backing.backed.size());
            kv.release(second);
            assertFalse(backing.backed.iterator().hasNext());
        }
    }
}
