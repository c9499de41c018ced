package dev.aegaeon.runtime.engine;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Optional;

/**
 * Hands out KV block ids {@code 0 .. numBlocks-1}. Exhaustion is an empty answer, never an exception;
 * an allocation is all or nothing. Freeing a block that is not allocated is a bug and throws.
 * Not thread-safe: one engine step at a time.
 */
public final class BlockAllocator {
    private final int numBlocks;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final BitSet used;

    public BlockAllocator(int numBlocks) {
        if (numBlocks <= 0) throw new IllegalArgumentException("numBlocks must be positive, got " + numBlocks);
        this.numBlocks = numBlocks;
        this.used = new BitSet(numBlocks);
        for (int b = 0; b < numBlocks; b++) free.add(b);
    }

    public int numBlocks() { return numBlocks; }

    public int freeBlocks() { return free.size(); }

    /** {@code count} block ids, or empty (and nothing taken) when fewer are free. */
    public Optional<int[]> allocate(int count) {
        if (count < 0) throw new IllegalArgumentException("negative block count " + count);
        if (count > free.size()) return Optional.empty();
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = free.poll();
            used.set(ids[i]);
        }
        return Optional.of(ids);
    }

    public void free(int block) {
        if (block < 0 || block >= numBlocks || !used.get(block)) {
            throw new IllegalStateException("block " + block + " is not allocated");
        }
        used.clear(block);
        free.add(block);
    }
}
