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

    /** A model's weights freed together: one wait for the device before all their unmaps, not one per region. */
    @Test
    void freeingAModelsRegionsTogetherWaitsOnce() {
        FakeChunkDriver driver = new FakeChunkDriver(CHUNK, 1000);
        ChunkBudget budget = new ChunkBudget(driver, 64 * CHUNK);
        AtomicInteger waits = new AtomicInteger();
        try (DeviceArena arena = DeviceArena.onDemand(budget, 64 * CHUNK, waits::incrementAndGet)) {
            java.util.List<DeviceRegion> model = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) model.add(arena.allocate(CHUNK + 4096L * i).orElseThrow());
            DeviceRegion other = arena.allocate(CHUNK).orElseThrow(); // starts in the last weight's last chunk
            int before = budget.inUse();

            arena.freeAll(model);
            assertEquals(1, waits.get(), "one wait for six regions");
            assertEquals(2, budget.inUse(), "only the two chunks the other region spans stay mapped");
            assertTrue(before > budget.inUse());
            assertEquals(other.bytes(), arena.occupancy().weightUsedBytes(), "the six ranges went back to the allocator");
            DeviceRegion again = arena.allocate(CHUNK).orElseThrow();
            assertEquals(model.getFirst().offset(), again.offset(), "their addresses are reused");
            arena.freeAll(java.util.List.of());
            assertEquals(1, waits.get(), "nothing freed, nothing awaited");
            arena.freeAll(java.util.List.of(again, other));
            assertEquals(0, budget.inUse());
        }
    }

    /** Regions whose unmapping could not be awaited stay allocated and mapped: nothing is half freed. */
    @Test
    void regionsWhoseWaitFailsStayAllocated() {
        FakeChunkDriver driver = new FakeChunkDriver(CHUNK, 1000);
        ChunkBudget budget = new ChunkBudget(driver, 64 * CHUNK);
        AtomicInteger failures = new AtomicInteger(1);
        try (DeviceArena arena = DeviceArena.onDemand(budget, 64 * CHUNK, () -> {
            if (failures.getAndDecrement() > 0) throw new IllegalStateException("wait refused");
        })) {
            DeviceRegion a = arena.allocate(3 * CHUNK).orElseThrow(), b = arena.allocate(CHUNK).orElseThrow();
            long used = arena.occupancy().weightUsedBytes();
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> arena.freeAll(java.util.List.of(a, b)));
            assertEquals(used, arena.occupancy().weightUsedBytes(), "both regions still allocated");
            assertEquals(4, budget.inUse(), "and mapped");
            arena.freeAll(java.util.List.of(a, b));
            assertEquals(0, arena.occupancy().weightUsedBytes());
            assertEquals(0, budget.inUse());
        }
    }

    /** The weight arena as the device opens it: a model freed and another of its shape loaded lands on the same chunks. */
    @Test
    void aModelLoadedWhereAnotherWasFreedReusesItsChunks() {
        FakeChunkDriver driver = new FakeChunkDriver(CHUNK, 1000);
        ChunkBudget budget = new ChunkBudget(driver, 64 * CHUNK);
        try (DeviceArena arena = DeviceArena.onDemand(budget, 64 * CHUNK, () -> {}, true)) {
            java.util.List<DeviceRegion> first = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) first.add(arena.allocate(CHUNK + 12_288L * i).orElseThrow());
            DeviceRegion workspace = arena.allocate(CHUNK / 4).orElseThrow();
            arena.freeAll(first);
            assertTrue(arena.spareBytes() >= 5 * CHUNK, "the freed model's chunks are spares: " + arena.spareBytes());
            int maps = driver.maps;
            java.util.List<DeviceRegion> second = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) second.add(arena.allocate(CHUNK + 12_288L * i).orElseThrow());
            assertEquals(first.getFirst().offset(), second.getFirst().offset());
            assertEquals(maps, driver.maps, "the second model mapped nothing");
            arena.freeAll(second);
            arena.free(workspace);
        }
    }
}
