package dev.aegaeon.runtime.engine;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Optional;

/**
 * Hands out KV block ids {@code 0 .. numBlocks-1}. Exhaustion is an empty answer, never an exception;
 * an allocation is all or nothing. Freeing a block that is not allocated is a bug and throws.
 *
 * <p>A private allocator owns its blocks (the engine's fixed pool). A shared one also takes one page
 * of a device's {@link SharedKvPages} per block, so the engines of a device together never hold more
 * than its pages; it hands out the lowest free ids first, so a cache that grows with use (the CPU's)
 * grows only to the peak number of blocks held. Not thread-safe: one engine step at a time.
 */
public final class BlockAllocator {
    private final int numBlocks;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final BitSet used;
    private final SharedKvPages pages;
    private int usedCount;

    public BlockAllocator(int numBlocks) {
        this(numBlocks, null);
    }

    /** @param pages the device's shared pages, or null for a private pool of {@code numBlocks} */
    public BlockAllocator(int numBlocks, SharedKvPages pages) {
        if (numBlocks <= 0) throw new IllegalArgumentException("numBlocks must be positive, got " + numBlocks);
        this.numBlocks = numBlocks;
        this.used = new BitSet(numBlocks);
        this.pages = pages;
        if (pages == null) for (int b = 0; b < numBlocks; b++) free.add(b);
    }

    public int numBlocks() { return numBlocks; }

    /** Blocks an allocation may take now: the local ids left, and for a shared allocator the device's free pages. */
    public int freeBlocks() {
        if (pages == null) return free.size();
        return Math.min(numBlocks - usedCount, pages.freePages());
    }

    /** Blocks allocated now. */
    public int usedBlocks() { return usedCount; }

    /** {@code count} block ids, or empty (and nothing taken) when fewer are free. */
    public Optional<int[]> allocate(int count) {
        if (count < 0) throw new IllegalArgumentException("negative block count " + count);
        if (pages == null) {
            if (count > free.size()) return Optional.empty();
            int[] ids = new int[count];
            for (int i = 0; i < count; i++) {
                ids[i] = free.poll();
                used.set(ids[i]);
            }
            usedCount += count;
            return Optional.of(ids);
        }
        if (count > numBlocks - usedCount || !pages.take(this, count)) return Optional.empty();
        int[] ids = new int[count];
        int next = 0;
        for (int i = 0; i < count; i++) {
            ids[i] = used.nextClearBit(next);
            used.set(ids[i]);
            next = ids[i] + 1;
        }
        usedCount += count;
        return Optional.of(ids);
    }

    public void free(int block) {
        if (block < 0 || block >= numBlocks || !used.get(block)) {
            throw new IllegalStateException("block " + block + " is not allocated");
        }
        used.clear(block);
        usedCount--;
        if (pages == null) free.add(block);
        else pages.give(this, 1);
    }
}
