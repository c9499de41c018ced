package dev.aegaeon.runtime.cuda.memory;

/**
 * A snapshot of the VRAM arena. Weight pool: bytes used/free and fragmentation (1 - largest free
 * range / free bytes). KV pool: equal pages, so it has no fragmentation to report.
 */
public record ArenaOccupancy(long arenaBytes, long weightPoolBytes, long weightUsedBytes,
                             long weightLargestFreeBytes, double weightFragmentation,
                             long kvPageBytes, int kvPages, int kvPagesUsed) {

    public static ArenaOccupancy of(long arenaBytes, RangeAllocator weights, PagePool kv) {
        return new ArenaOccupancy(arenaBytes, weights.capacity(), weights.used(), weights.largestFree(),
                weights.fragmentation(), kv.pageBytes(), kv.pageCount(), kv.usedPages());
    }
}
