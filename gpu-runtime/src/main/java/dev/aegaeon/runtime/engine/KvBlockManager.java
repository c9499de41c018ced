package dev.aegaeon.runtime.engine;

import java.util.List;

/**
 * Maps sequences' token positions to KV slots: grows block tables from a {@link BlockAllocator}, all
 * or nothing per batch, and frees a sequence's blocks when it finishes or is cancelled.
 *
 * <p>Thread-safety: the engine's thread does everything; the one exception is a detached set
 * ({@link KvSwap.Detached}), which the adopting engine's thread frees after its device-to-device
 * copy. So every method that touches the allocator is synchronised: a release from another thread
 * only adds free blocks, which keeps a step's earlier {@code freeBlocks() >= needed} check true.
 */
public final class KvBlockManager {
    private final BlockAllocator allocator;
    private final int blockSize;
    private final KvBlockBacking backing;

    public KvBlockManager(int numBlocks, int blockSize) {
        this(numBlocks, blockSize, null, KvBlockBacking.NONE);
    }

    /**
     * @param pages   the device's shared KV pages, or null for a private pool of {@code numBlocks}
     * @param backing device memory taken for blocks as they are allocated and given back as they are freed
     */
    public KvBlockManager(int numBlocks, int blockSize, SharedKvPages pages, KvBlockBacking backing) {
        this.allocator = new BlockAllocator(numBlocks, pages);
        this.blockSize = blockSize;
        this.backing = backing;
    }

    public int blockSize() { return blockSize; }

    public synchronized int freeBlocks() { return allocator.freeBlocks(); }

    public int totalBlocks() { return allocator.numBlocks(); }

    /** Blocks held by sequences and detached sets now. */
    public synchronized int usedBlocks() { return allocator.usedBlocks(); }

    /** Blocks a sequence needs so that positions {@code 0 .. tokens-1} have slots. */
    int blocksFor(int tokens) { return (tokens + blockSize - 1) / blockSize; }

    /**
     * Grows each sequence's block table to hold {@code targetTokens[i]} positions. Either every
     * sequence gets its blocks or none does ({@link KvReservation.NoRoom}).
     */
    public synchronized KvReservation reserve(List<Sequence> sequences, int[] targetTokens) {
        int needed = 0;
        for (int i = 0; i < sequences.size(); i++) {
            needed += Math.max(0, blocksFor(targetTokens[i]) - sequences.get(i).blockCount());
        }
        // One allocation for the whole batch: shared pages may shrink from another thread (weights
        // set aside as a load is issued), so a check followed by several takes could fail halfway.
        java.util.Optional<int[]> ids = allocator.allocate(needed);
        if (ids.isEmpty()) return new KvReservation.NoRoom(needed, allocator.freeBlocks());
        if (!backing.back(ids.get())) { // the device itself is out of memory: as full as if no page were free
            for (int b : ids.get()) allocator.free(b);
            return new KvReservation.NoRoom(needed, 0);
        }
        int at = 0;
        for (int i = 0; i < sequences.size(); i++) {
            Sequence s = sequences.get(i);
            int more = Math.max(0, blocksFor(targetTokens[i]) - s.blockCount());
            s.addBlocks(java.util.Arrays.copyOfRange(ids.get(), at, at + more));
            at += more;
        }
        return new KvReservation.Granted(needed);
    }

    /** Returns every block of {@code sequence} to the pool. */
    public synchronized void release(Sequence sequence) {
        free(sequence.takeBlocks());
    }

    /** Detach: empties {@code sequence}'s block table but keeps the blocks allocated; the caller frees them later ({@link #free}). */
    synchronized int[] detach(Sequence sequence) {
        return sequence.takeBlocks();
    }

    /** Returns detached blocks to the pool; any thread. */
    synchronized void free(int[] blocks) {
        if (blocks.length == 0) return;
        for (int block : blocks) allocator.free(block);
        backing.unback(blocks);
    }

    /** The cache slot of {@code position} of {@code sequence}; its block must be reserved. */
    int slot(Sequence sequence, int position) {
        return sequence.block(position / blockSize) * blockSize + position % blockSize;
    }
}
