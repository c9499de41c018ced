package dev.aegaeon.runtime.cuda.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class RangeAllocatorTest {

    @Test
    void allocationsAreAlignedAndDisjoint() {
        var a = new RangeAllocator(1 << 20, 256);
        long x = a.allocate(100).orElseThrow();
        long y = a.allocate(300).orElseThrow();
        assertEquals(0, x % 256);
        assertEquals(0, y % 256);
        assertTrue(y >= x + 256 || x >= y + 512, "ranges overlap");
        assertEquals(256 + 512, a.used());
    }

    @Test
    void fullPoolAnswersEmptyAndLosesNothing() {
        var a = new RangeAllocator(4096, 256);
        assertTrue(a.allocate(4096).isPresent());
        assertTrue(a.allocate(1).isEmpty());
        assertEquals(4096, a.used());
    }

    @Test
    void freeingCoalescesNeighboursSoFragmentationReturnsToZero() {
        var a = new RangeAllocator(10 * 1024, 1024);
        long[] offs = new long[10];
        for (int i = 0; i < 10; i++) offs[i] = a.allocate(1024).orElseThrow();
        for (int i = 0; i < 10; i += 2) a.free(offs[i]);
        assertEquals(5 * 1024, a.free());
        assertEquals(1024, a.largestFree());
        assertEquals(0.8, a.fragmentation(), 1e-9);
        assertTrue(a.allocate(2048).isEmpty(), "no hole of two pages yet");
        for (int i = 1; i < 10; i += 2) a.free(offs[i]);
        assertEquals(0.0, a.fragmentation());
        assertEquals(10 * 1024, a.largestFree());
        assertEquals(0, a.allocationCount());
    }

    @Test
    void randomWorkloadKeepsTheAccountingInvariants() {
        var rnd = new Random(7);
        var a = new RangeAllocator(1 << 24, 512);
        List<long[]> live = new ArrayList<>(); // {offset, size}
        for (int step = 0; step < 5000; step++) {
            if (live.isEmpty() || rnd.nextInt(3) > 0) {
                long size = 1 + rnd.nextInt(1 << 18);
                var off = a.allocate(size);
                if (off.isPresent()) {
                    long o = off.getAsLong();
                    for (long[] r : live) assertTrue(o + size <= r[0] || r[0] + r[1] <= o, "overlap");
                    assertTrue(o + size <= a.capacity());
                    live.add(new long[] {o, size});
                }
            } else {
                long[] r = live.remove(rnd.nextInt(live.size()));
                a.free(r[0]);
            }
            assertEquals(a.capacity(), a.used() + a.free());
            assertTrue(a.largestFree() <= a.free());
        }
        for (long[] r : live) a.free(r[0]);
        assertEquals(0, a.used());
        assertEquals(0.0, a.fragmentation());
    }

    @Test
    void badCallsGetClearErrors() {
        var a = new RangeAllocator(4096, 256);
        assertThrows(IllegalArgumentException.class, () -> a.allocate(0));
        assertThrows(IllegalArgumentException.class, () -> a.free(256));
        assertThrows(IllegalArgumentException.class, () -> new RangeAllocator(4096, 100));
    }
}
