package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.weights.DType;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The one cross-thread use of a block pool: the engine's thread reserves and detaches blocks while
 * an adopting engine's thread frees detached ones. Under heavy contention no block is lost, handed
 * out twice or freed twice (the allocator throws on a double free).
 */
class KvBlockManagerConcurrencyTest {

    @Test
    void blocksFreedFromAnotherThreadWhileTheOwnerReservesAreNeitherLostNorDoubled() throws Exception {
        KvBlockManager kv = new KvBlockManager(64, 4);
        ConcurrentLinkedQueue<int[]> detached = new ConcurrentLinkedQueue<>();
        AtomicBoolean done = new AtomicBoolean();
        try (InferenceEngine engine = TestModels.engine(TestModels.tiny(ModelFamily.LLAMA), DType.BF16, 4, 4)) {
            Sequence s = engine.newSequence(TestModels.prompt(8, 100, 1), SamplingParams.greedy(1));
            CompletableFuture<Integer> freer = CompletableFuture.supplyAsync(() -> {
                int freed = 0;
                while (!done.get() || !detached.isEmpty()) {
                    int[] blocks = detached.poll();
                    if (blocks == null) {
                        Thread.onSpinWait();
                        continue;
                    }
                    kv.free(blocks);
                    freed++;
                }
                return freed;
            });
            int rounds = 200_000, made = 0;
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a guard against a hang, not a speed check
            while (made < rounds && System.nanoTime() < giveUp && !freer.isDone()) {
                if (!kv.reserve(List.of(s), new int[] {8}).granted()) continue; // the freer catches up
                detached.add(kv.detach(s));
                made++;
            }
            done.set(true);
            assertEquals(rounds, made, "blocks were lost (the pool ran dry) or the freer failed: " + freer);
            assertEquals(rounds, freer.get(60, TimeUnit.SECONDS));
            assertEquals(kv.totalBlocks(), kv.freeBlocks());
            assertEquals(16, kv.reserve(List.of(s), new int[] {64}).granted() ? s.blockCount() : -1, "every block can be had again");
        }
    }
}
