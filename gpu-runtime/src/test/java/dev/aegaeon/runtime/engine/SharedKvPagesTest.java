package dev.aegaeon.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The device's page ledger and the block allocators that draw on it, without any model. */
class SharedKvPagesTest {

    @Test
    void pagesOfOneSizeHoldMoreTokensOfASmallerKvShape() {
        SharedKvPages pages = new SharedKvPages(1 << 20, 10);
        long qwen7b = 28L * 4 * 128 * 2 * 2;    // layers x KV heads x head dim x (K, V) x bf16
        long llama70b = 80L * 8 * 128 * 2 * 2;
        assertEquals(18, pages.tokensPerPage(qwen7b));
        assertEquals(3, pages.tokensPerPage(llama70b));
        assertEquals(SharedKvPages.MAX_TOKENS_PER_PAGE, pages.tokensPerPage(16));
        assertThrows(IllegalArgumentException.class, () -> pages.tokensPerPage((1 << 20) + 1L), "a token larger than a page");
        assertEquals(3, SharedKvPages.forBytes(3 * (1L << 20) + 5, 1 << 20).pageCount());
    }

    @Test
    void twoAllocatorsShareOneBudgetAllOrNothing() {
        SharedKvPages pages = new SharedKvPages(4096, 5);
        BlockAllocator a = new BlockAllocator(100, pages), b = new BlockAllocator(100, pages);
        assertArrayEquals(new int[] {0, 1, 2}, a.allocate(3).orElseThrow(), "lowest ids first");
        assertEquals(2, b.freeBlocks(), "b sees the device's free pages, not its own 100 ids");
        assertTrue(b.allocate(3).isEmpty(), "3 pages are not free: nothing is taken");
        assertEquals(2, pages.freePages());
        assertArrayEquals(new int[] {0, 1}, b.allocate(2).orElseThrow());
        assertEquals(0, a.freeBlocks());
        assertEquals(3, pages.pagesHeldBy(a));
        assertEquals(2, pages.pagesHeldBy(b));
        a.free(1);
        assertEquals(1, b.freeBlocks());
        assertArrayEquals(new int[] {2}, b.allocate(1).orElseThrow());
        assertArrayEquals(new int[] {1}, a.allocate(1).isEmpty() ? new int[] {1} : null, "the freed page went to b");
        for (int id : new int[] {0, 2}) a.free(id);
        for (int id : new int[] {0, 1, 2}) b.free(id);
        assertEquals(0, pages.usedPages());
        assertEquals(0, pages.holders());
    }

    @Test
    void aSharedAllocatorIsAlsoBoundedByItsOwnIdsAndRefusesADoubleFree() {
        SharedKvPages pages = new SharedKvPages(4096, 10);
        BlockAllocator a = new BlockAllocator(2, pages);
        assertFalse(a.allocate(3).isPresent());
        assertEquals(0, pages.usedPages());
        a.allocate(2).orElseThrow();
        assertEquals(0, a.freeBlocks());
        a.free(0);
        assertThrows(IllegalStateException.class, () -> a.free(0));
        assertThrows(IllegalStateException.class, () -> pages.give(a, 2), "a holder returns no more than it holds");
        assertEquals(1, pages.usedPages());
    }

    @Test
    void weightsSetAsideLeaveOnlyTheWholePagesBesideThem() {
        SharedKvPages pages = new SharedKvPages(1000, 10); // a 10,000-byte device
        BlockAllocator a = new BlockAllocator(100, pages);
        pages.addOtherBytes(2500);
        assertEquals(7, pages.usablePages(), "7,500 bytes hold 7 whole pages");
        assertTrue(a.allocate(8).isEmpty());
        a.allocate(7).orElseThrow();
        pages.addOtherBytes(1000); // weights loaded beside pages already held: nothing is taken back
        assertEquals(0, pages.freePages());
        assertEquals(7, pages.usedPages());
        a.free(0);
        assertEquals(0, pages.freePages(), "6 held, 6 usable");
        pages.addOtherBytes(-3500);
        assertEquals(4, pages.freePages());
        assertThrows(IllegalStateException.class, () -> pages.addOtherBytes(-1));

        SharedKvPages ragged = SharedKvPages.forBytes(10_300, 1000);
        assertEquals(10, ragged.pageCount());
        ragged.addOtherBytes(2300);
        assertEquals(8, ragged.usablePages(), "weights of 2,300 bytes leave 8,000: the device's ragged tail counts");
    }
}
