package dev.aegaeon.runtime.cuda.memory;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class PagePoolTest {

    @Test
    void pagesAreDistinctAndExhaustionIsACleanNoRoom() {
        var pool = new PagePool(1 << 20, 8);
        int[] a = pool.allocate(5).orElseThrow();
        assertTrue(pool.allocate(4).isEmpty());
        assertEquals(3, pool.freePages(), "a refused request takes nothing");
        int[] b = pool.allocate(3).orElseThrow();
        Set<Integer> seen = new HashSet<>();
        for (int p : a) assertTrue(seen.add(p));
        for (int p : b) assertTrue(seen.add(p));
        assertEquals(8, pool.usedPages());
    }

    @Test
    void modelsOfDifferentShapesShareThePoolWithoutFragmenting() {
        var pool = new PagePool(2 << 20, 100);
        // A 7B-shaped model (28 layers, 4 KV heads of 128) and a small one take turns.
        int big = pool.tokensPerPage(28L * 2 * 4 * 128 * 2);
        int small = pool.tokensPerPage(2L * 2 * 2 * 16 * 2);
        assertEquals(36, big);
        assertEquals(4096, small, "capped so a page never spans absurd token counts");
        int[] x = pool.allocate(30).orElseThrow();
        int[] y = pool.allocate(30).orElseThrow();
        int[] z = pool.allocate(30).orElseThrow();
        pool.free(y);
        pool.free(x);
        // Any 70 free pages serve any model: no holes to fit.
        assertTrue(pool.allocate(70).isPresent());
        assertTrue(pool.allocate(1).isEmpty());
        pool.free(z);
        assertEquals(30, pool.freePages());
    }

    @Test
    void doubleFreeAndForeignPagesAreRejected() {
        var pool = new PagePool(4096, 4);
        int[] a = pool.allocate(2).orElseThrow();
        pool.free(a);
        assertThrows(IllegalArgumentException.class, () -> pool.free(a));
        assertThrows(IllegalArgumentException.class, () -> pool.free(new int[] {9}));
        assertThrows(IllegalArgumentException.class, () -> pool.tokensPerPage(8192));
    }
}
