package dev.aegaeon.runtime.cuda.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** The weight arena on demand: a region's chunks are mapped while it lives, and weights and KV share the device's budget. */
class DeviceArenaOnDemandTest {
    private static final long CHUNK = 2 << 20;

    @Test
    void regionsMapTheirChunksWhileTheyLiveAndARegionPastTheBudgetIsRefusedCleanly() {
        FakeChunkDriver driver = new FakeChunkDriver(CHUNK, 1000);
        ChunkBudget budget = new ChunkBudget(driver, 10 * CHUNK);
        AtomicInteger waits = new AtomicInteger();
        try (DeviceArena arena = DeviceArena.onDemand(budget, 64 * CHUNK, waits::incrementAndGet)) {
            assertTrue(arena.isOnDemand());
            assertEquals(0, arena.occupancy().deviceBytesInUse(), "addresses only, no memory yet");

            DeviceRegion a = arena.allocate(3 * CHUNK + 100).orElseThrow();
            DeviceRegion b = arena.allocate(CHUNK).orElseThrow(); // starts in a's last chunk
            assertEquals(5, budget.inUse(), "a takes 4 chunks, b one more beside the one it shares");
            assertEquals(5 * CHUNK, arena.occupancy().deviceBytesInUse());

            assertTrue(arena.allocate(6 * CHUNK).isEmpty(), "5 chunks left in the budget, 6 (or 7) asked for");
            assertEquals(5, budget.inUse(), "the refused region took nothing");
            DeviceRegion c = arena.allocate(4 * CHUNK).orElseThrow();
            assertEquals(b.offset() + b.bytes(), c.offset(), "the refused range was given back to the allocator");

            arena.free(a);
            assertEquals(1, waits.get(), "the device is awaited before an unmap");
            assertEquals(6, budget.inUse(), "a's chunks are free but the one b shares (b and c hold chunks 3 to 8)");
            arena.free(b);
            arena.free(c);
            assertEquals(0, budget.inUse());
            assertEquals(0, arena.occupancy().weightUsedBytes());
        }
        budget.trim();
        assertEquals(0, driver.liveChunks(), "closing the arena and trimming the budget returns every chunk");
    }
}
