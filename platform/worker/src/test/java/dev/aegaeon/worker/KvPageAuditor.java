package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aegaeon.runtime.engine.SharedKvPages;

/**
 * Counts a pool's KV pages: once every request has had its terminal call (which comes after its KV
 * was released), no page of any device may be held by any engine.
 */
final class KvPageAuditor {
    private KvPageAuditor() {}

    static void assertNoPageHeld(ModelPool pool) {
        for (int d = 0; d < pool.deviceCount(); d++) {
            int device = d;
            SharedKvPages pages = pool.kvPages(d).orElseThrow(() -> new AssertionError("device " + device + " has no shared KV pages"));
            assertEquals(0, pages.usedPages(), "pages still held on device " + d + " of " + pages.pageCount());
            assertEquals(0, pages.holders(), "engines still holding pages on device " + d);
        }
    }
}
