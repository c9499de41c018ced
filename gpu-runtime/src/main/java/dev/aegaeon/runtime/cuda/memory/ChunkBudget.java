package dev.aegaeon.runtime.cuda.memory;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A device's physical memory as chunks, at most {@link #limitChunks()} of them at once, shared by
 * everything mapped on demand there (the weight arena and every KV cache), so weights and KV draw on
 * one budget as the scheduler counts them. Chunks given back stay created and are handed out again
 * first: creating a chunk costs far more than reusing one, and a created chunk is memory the budget
 * already counts. Invariant: {@code inUse() + idle() == created() <= limitChunks()}. Thread-safe.
 */
public final class ChunkBudget {
    private final ChunkDriver driver;
    private final int limit;
    private final ArrayDeque<ChunkDriver.Chunk> idle = new ArrayDeque<>();
    private final List<OnDemandSpan> spareHolders = new CopyOnWriteArrayList<>();
    private int created;

    /** @param limitBytes the most device memory to create chunks for (rounded down to whole chunks) */
    public ChunkBudget(ChunkDriver driver, long limitBytes) {
        if (limitBytes < 0) throw new IllegalArgumentException("memory limit must be >= 0, got " + limitBytes);
        this.driver = driver;
        this.limit = (int) Math.min(Integer.MAX_VALUE, limitBytes / driver.chunkBytes());
    }

    public ChunkDriver driver() { return driver; }

    public long chunkBytes() { return driver.chunkBytes(); }

    public int limitChunks() { return limit; }

    /** The most bytes mapped at once: {@link #limitChunks()} whole chunks. */
    public long limitBytes() { return limit * chunkBytes(); }

    /** A chunk for one mapping: an idle one, else a new one while the limit allows and the device has memory. */
    public synchronized Optional<ChunkDriver.Chunk> take() {
        ChunkDriver.Chunk c = idle.pollFirst();
        if (c != null) return Optional.of(c);
        if (created >= limit) return Optional.empty();
        Optional<ChunkDriver.Chunk> fresh = driver.create();
        if (fresh.isPresent()) created++;
        return fresh;
    }

    /** Returns a chunk that is mapped nowhere any more. */
    public synchronized void give(ChunkDriver.Chunk chunk) {
        if (idle.size() >= created) throw new IllegalStateException("more chunks given back than were taken");
        idle.addFirst(chunk);
    }

    /** Destroys the idle chunks, handing their memory back to the device (at close). */
    public synchronized void trim() {
        for (ChunkDriver.Chunk c; (c = idle.pollFirst()) != null; created--) driver.destroy(c);
    }

    void addSpareHolder(OnDemandSpan span) { spareHolders.add(span); }

    void removeSpareHolder(OnDemandSpan span) { spareHolders.remove(span); }

    /**
     * Unmaps the spare chunks of every span on this budget that keeps them (each waits for its
     * device work once first), making them available to {@link #take}; how many. Called by a commit
     * the budget could not serve, holding no span's lock and not the budget's.
     */
    public int reclaimSpares() {
        int n = 0;
        for (OnDemandSpan s : spareHolders) n += s.reclaimSpares();
        return n;
    }

    public synchronized int created() { return created; }

    public synchronized int idle() { return idle.size(); }

    /** Chunks mapped somewhere now. */
    public synchronized int inUse() { return created - idle.size(); }

    /** Bytes mapped somewhere now. */
    public long bytesInUse() { return inUse() * chunkBytes(); }
}
