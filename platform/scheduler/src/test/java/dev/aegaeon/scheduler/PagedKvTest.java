package dev.aegaeon.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * KV reserved in whole pages (the worker's shared page pool): a prefill reserves the prompt's pages,
 * a decode step adds a page only when a sequence crosses a page boundary, and memory counted that way
 * never exceeds the instance while every request still finishes.
 */
class PagedKvTest {
    private static final long GB = 1_000_000_000L, MB = 1_000_000L;
    /** 1 MB per token, 16 tokens to a 20 MB page (4 MB of each page unused, as a slab's tail is). */
    private static final KvPaging PAGING = new KvPaging(16, 20 * MB);

    @Test
    void pagesRoundUpAndPerTokenIsExact() {
        assertEquals(0, PAGING.bytesFor(0));
        assertEquals(20 * MB, PAGING.bytesFor(1));
        assertEquals(20 * MB, PAGING.bytesFor(16));
        assertEquals(40 * MB, PAGING.bytesFor(17));
        assertEquals(17 * MB, KvPaging.perToken(MB).bytesFor(17));
        assertEquals(new KvPaging(18, 1 << 20), KvPaging.pages(1 << 20, 57_344, 4096));
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec("m", GB, MB, new KvPaging(32, 20 * MB)),
                "a page cannot hold more tokens than its bytes");
    }

    @Test
    void reservationsGrowAPageAtATimeAndStayWithinMemory() {
        ModelSpec a = new ModelSpec("a", 30 * GB, MB, PAGING), b = new ModelSpec("b", 30 * GB, MB, PAGING);
        MiniSim sim = new MiniSim(new FixedCost(0.05, 0.02, 0.5, 1e-10));
        long memory = 61 * GB;
        AegaeonScheduler s = new AegaeonScheduler(sim.clock, new FixedCost(0.05, 0.02, 0.5, 1e-10), List.of(a, b),
                List.of(new InstanceSpec(0, InstanceSpec.Role.COLOCATED, 1, memory)), SchedulerConfig.defaults(), SchedulerListener.NONE);
        sim.scheduler = s;
        sim.afterEach = () -> assertTrue(s.reservedBytes(0) <= memory, "reservations within memory");
        sim.arrive(new RequestSpec(1, "a", 500, 600, 0, SloTargets.PAPER_DEFAULT), 600);
        sim.arrive(new RequestSpec(2, "b", 500, 600, 0.1, SloTargets.PAPER_DEFAULT), 600);
        sim.arrive(new RequestSpec(3, "a", 40, 30, 0.2, SloTargets.PAPER_DEFAULT), 30);
        sim.run(5000);
        assertEquals(600, sim.emitted.get(1L));
        assertEquals(600, sim.emitted.get(2L));
        assertEquals(30, sim.emitted.get(3L));
        assertEquals(s.residentModels(0).size() * 30 * GB, s.reservedBytes(0), "every page came back; only weights remain");
        assertTrue(sim.log.stream().anyMatch(d -> d instanceof Decision.SwapOut || d instanceof Decision.EvictModel), "memory was made");
    }

    @Test
    void aDecodeStepReservesAPageOnlyAtABoundary() {
        ModelSpec a = new ModelSpec("a", 30 * GB, MB, PAGING);
        Req r = new Req(new RequestSpec(1, "a", 15, 10, 0, SloTargets.PAPER_DEFAULT), a);
        r.kvTokens = 15;
        assertEquals(0, r.stepGrowth(), "the 16th position still fits the first page");
        r.kvTokens = 16;
        assertEquals(20 * MB, r.stepGrowth(), "the 17th starts the second");
        r.kvTokens = 17;
        assertEquals(0, r.stepGrowth());
        r.kvTokens = 32;
        assertEquals(20 * MB, r.stepGrowth());
    }
}
