package dev.aegaeon.runtime.cuda.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class OnDemandSpanTest {
    private static final long CHUNK = 2 << 20;

    @Test
    void mapsOnlyTheChunksCommittedRangesTouchAndSharesChunksBetweenNeighbours() {
        FakeChunkDriver driver = new FakeChunkDriver(CHUNK, 100);
        ChunkBudget budget = new ChunkBudget(driver, 100 * CHUNK);
        AtomicInteger quiesced = new AtomicInteger();
        try (OnDemandSpan span = new OnDemandSpan(budget, 10 * CHUNK + 1, quiesced::incrementAndGet)) {
            assertEquals(11 * CHUNK, span.bytes(), "whole chunks");
            assertEquals(0, span.mappedChunks());

            long block = CHUNK / 2 + 4096; // blocks of a KV shape straddle chunk boundaries
            assertTrue(span.commit(0, block));
            assertTrue(span.commit(block, block));
            assertEquals(Set.of(0L, CHUNK), driver.mapped(span.reservation()), "block 1 ends in the second chunk");
            assertEquals(2, budget.inUse());

            span.decommit(0, block);
            assertEquals(Set.of(0L, CHUNK), driver.mapped(span.reservation()), "block 1 still uses the first chunk");
            assertEquals(0, quiesced.get(), "nothing unmapped, nothing to wait for");

            span.decommit(block, block);
            assertEquals(Set.of(), driver.mapped(span.reservation()));
            assertEquals(1, quiesced.get(), "one wait before the unmaps of one decommit");
            assertEquals(0, budget.inUse());
            assertEquals(2, budget.idle(), "kept for reuse, not destroyed");

            assertTrue(span.commit(5 * CHUNK, CHUNK));
            assertEquals(2, driver.creates, "an idle chunk is reused before a new one is created");
        }
        assertEquals(0, budget.inUse(), "close unmaps what is still mapped");
        budget.trim();
        assertEquals(0, driver.liveChunks());
    }

    @Test
    void freshChunksAreOpenedOnceForEachContiguousRun() {
        FakeChunkDriver driver = new FakeChunkDriver(CHUNK, 100);
        ChunkBudget budget = new ChunkBudget(driver, 100 * CHUNK);
        try (OnDemandSpan span = new OnDemandSpan(budget, 40 * CHUNK, () -> {})) {
            assertTrue(span.commit(0, 10 * CHUNK), "a weight region of ten chunks");
            assertEquals(10, driver.maps);
            assertEquals(1, driver.opens, "one open for the run, not one per chunk");
            assertTrue(driver.unopened.isEmpty());

            assertTrue(span.commit(12 * CHUNK, CHUNK / 2));
            assertTrue(span.commit(new long[] {9 * CHUNK, 13 * CHUNK + CHUNK / 2, 20 * CHUNK}, 2 * CHUNK));
            // chunks 9-10, 13-15 and 20-21; 9 is mapped already, so fresh are 10, 13..15 and 20..21
            assertEquals(10 + 1 + 6, driver.maps);
            assertEquals(1 + 1 + 3, driver.opens, "runs 10, 13..15 and 20..21");
            assertTrue(driver.unopened.isEmpty(), "nothing mapped is left closed to kernels");
        }
    }

    @Test
    void aCommitPastTheBudgetTakesNothingAndTheSpansOfOneDeviceShareIt() {
        FakeChunkDriver driver = new FakeChunkDriver(CHUNK, 100);
        ChunkBudget budget = new ChunkBudget(driver, 4 * CHUNK + CHUNK / 2);
        assertEquals(4, budget.limitChunks());
        try (OnDemandSpan weights = new OnDemandSpan(budget, 64 * CHUNK, () -> {});
             OnDemandSpan kv = new OnDemandSpan(budget, 64 * CHUNK, () -> {})) {
            assertTrue(weights.commit(0, 3 * CHUNK));
            assertFalse(kv.commit(0, 2 * CHUNK), "two chunks asked for, one left");
            assertEquals(0, kv.mappedChunks());
            assertEquals(3, budget.inUse(), "the failed commit gave back the chunk it had taken");
            assertTrue(kv.commit(0, CHUNK));
            assertFalse(kv.commit(CHUNK, 1));
            weights.decommit(0, 3 * CHUNK);
            assertTrue(kv.commit(CHUNK, 3 * CHUNK), "the weights' memory goes to KV once they are freed");
            assertEquals(4, kv.mappedChunks());
        }
    }

    @Test
    void aDeviceOutOfMemoryIsANoNotAnError() {
        FakeChunkDriver driver = new FakeChunkDriver(CHUNK, 2); // less than the budget claims
        ChunkBudget budget = new ChunkBudget(driver, 8 * CHUNK);
        try (OnDemandSpan span = new OnDemandSpan(budget, 8 * CHUNK, () -> {})) {
            assertFalse(span.commit(0, 3 * CHUNK));
            assertEquals(0, budget.inUse());
            assertTrue(span.commit(0, 2 * CHUNK));
        }
    }

    @Test
    void misuseIsCaught() {
        FakeChunkDriver driver = new FakeChunkDriver(CHUNK, 8);
        ChunkBudget budget = new ChunkBudget(driver, 8 * CHUNK);
        OnDemandSpan span = new OnDemandSpan(budget, 4 * CHUNK, () -> {});
        assertThrows(IllegalStateException.class, () -> span.decommit(0, CHUNK), "nothing committed there");
        assertThrows(IllegalArgumentException.class, () -> span.commit(3 * CHUNK, CHUNK + 1), "past the end");
        assertThrows(IllegalArgumentException.class, () -> span.commit(0, 0));
        assertThrows(IllegalStateException.class, () -> budget.give(new FakeChunkDriver.FakeChunk(99)));
        span.close();
        assertThrows(IllegalStateException.class, () -> span.commit(0, CHUNK));
        span.close(); // twice is harmless
    }

    /** A wait that fails (the device refused a synchronisation) leaves the span as it was, so a later decommit still works. */
    @Test
    void aDecommitWhoseWaitFailsChangesNothing() {
        FakeChunkDriver driver = new FakeChunkDriver(CHUNK, 100);
        ChunkBudget budget = new ChunkBudget(driver, 100 * CHUNK);
        AtomicInteger failures = new AtomicInteger(1);
        Runnable quiesce = () -> {
            if (failures.getAndDecrement() > 0) throw new IllegalStateException("CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED");
        };
        try (OnDemandSpan span = new OnDemandSpan(budget, 8 * CHUNK, quiesce)) {
            assertTrue(span.commit(new long[] {0, 3 * CHUNK}, 2 * CHUNK));
            assertThrows(IllegalStateException.class, () -> span.decommit(new long[] {0, 3 * CHUNK}, 2 * CHUNK));
            assertEquals(4, span.mappedChunks(), "still mapped and still counted");
            assertEquals(Set.of(0L, CHUNK, 3 * CHUNK, 4 * CHUNK), driver.mapped(span.reservation()));
            span.decommit(new long[] {0, 3 * CHUNK}, 2 * CHUNK);
            assertEquals(0, span.mappedChunks());
            assertEquals(0, budget.inUse());
        }
    }

    /**
     * A span that keeps spares (the weight arena) leaves a freed range's chunks mapped: a range
     * committed there again maps nothing and waits for nothing, and the spares go to another span
     * of the budget (KV) the moment it is short, after one wait.
     */
    @Test
    void sparesAreReusedWithoutAMapAndGoToWhoeverTheBudgetIsShortFor() {
        FakeChunkDriver driver = new FakeChunkDriver(CHUNK, 100);
        ChunkBudget budget = new ChunkBudget(driver, 8 * CHUNK);
        AtomicInteger weightWaits = new AtomicInteger();
        try (OnDemandSpan weights = new OnDemandSpan(budget, 64 * CHUNK, weightWaits::incrementAndGet, true);
             OnDemandSpan kv = new OnDemandSpan(budget, 64 * CHUNK, () -> {})) {
            assertTrue(weights.commit(new long[] {0, 3 * CHUNK}, 3 * CHUNK), "two weights of one model");
            int maps = driver.maps;
            weights.decommit(new long[] {0, 3 * CHUNK}, 3 * CHUNK); // the model is evicted
            assertEquals(0, weightWaits.get(), "nothing unmapped, nothing to wait for");
            assertEquals(6, weights.spareChunks());
            assertEquals(6, weights.mappedChunks());
            assertEquals(6, budget.inUse(), "spares are still the budget's");

            assertTrue(weights.commit(new long[] {0, 3 * CHUNK}, 3 * CHUNK), "the next model lands where it lived");
            assertEquals(maps, driver.maps, "without a single map");
            assertEquals(0, weights.spareChunks());
            weights.decommit(new long[] {0, 3 * CHUNK}, 3 * CHUNK);
            assertTrue(weights.commit(0, CHUNK / 2), "part of one spare");
            assertEquals(5, weights.spareChunks());

            assertTrue(kv.commit(0, 4 * CHUNK), "two chunks free, two more only from the spares");
            assertEquals(1, weightWaits.get(), "one wait before the spares were unmapped");
            assertEquals(0, weights.spareChunks(), "every spare went back");
            assertEquals(1, weights.mappedChunks(), "the range still committed keeps its chunk");
            assertEquals(5, budget.inUse());
            assertFalse(kv.commit(8 * CHUNK, 4 * CHUNK), "past the budget with no spares left: a no");
            assertEquals(1, weightWaits.get(), "and no wait for spares that are not there");
            weights.decommit(0, CHUNK / 2);
        }
        assertEquals(0, budget.inUse(), "closing unmaps the spares too");
    }
}
