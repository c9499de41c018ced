package dev.aegaeon.runtime.cuda.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * A reserved range of device addresses whose memory is mapped only where something lives: a byte
 * range is {@link #commit committed} before use and {@link #decommit decommitted} after, and each
 * chunk of the range is mapped while at least one committed range touches it (a count per chunk,
 * since neighbouring ranges may share one). Chunks come from the device's {@link ChunkBudget}.
 *
 * <p>Invariants: a chunk is mapped exactly when its count is positive; {@link #mappedChunks()}
 * chunks of the budget are this span's; a commit is all or nothing; before it unmaps, a decommit
 * runs the span's {@code quiesce} (which waits for every queued kernel or copy that may use the
 * span), so none reads an unmapped address. Callers pair every commit with one decommit of the
 * same range. Thread-safe.
 */
public final class OnDemandSpan implements AutoCloseable {
    private final ChunkBudget budget;
    private final ChunkDriver driver;
    private final ChunkDriver.Reservation reservation;
    private final long bytes;
    private final Runnable quiesce;
    private final int[] users;
    private final ChunkDriver.Chunk[] mapped;
    private int mappedCount;
    private boolean closed;

    /**
     * Reserves {@code bytes} (rounded up to whole chunks) of addresses; nothing is mapped yet.
     *
     * @param quiesce returns once no queued work may still use the span (the streams that touch it synchronised)
     */
    public OnDemandSpan(ChunkBudget budget, long bytes, Runnable quiesce) {
        if (bytes <= 0) throw new IllegalArgumentException("a span needs a positive size, got " + bytes);
        this.budget = budget;
        this.driver = budget.driver();
        this.quiesce = quiesce;
        long chunk = budget.chunkBytes();
        long chunks = (bytes + chunk - 1) / chunk;
        if (chunks > Integer.MAX_VALUE) throw new IllegalArgumentException("a span of " + bytes + " bytes has too many chunks");
        this.bytes = chunks * chunk;
        this.reservation = driver.reserve(this.bytes);
        this.users = new int[(int) chunks];
        this.mapped = new ChunkDriver.Chunk[(int) chunks];
    }

    /** The reservation (its base address is the driver's). */
    public ChunkDriver.Reservation reservation() { return reservation; }

    /** The device address of the span's first byte. */
    public jcuda.driver.CUdeviceptr base() { return driver.address(reservation, 0); }

    /** Bytes of addresses reserved (whole chunks). */
    public long bytes() { return bytes; }

    /**
     * Maps memory behind {@code [offset, offset + length)}; false, with nothing changed, when the
     * budget or the device has too few chunks for the part not mapped yet.
     */
    public synchronized boolean commit(long offset, long length) {
        checkOpen();
        int first = firstChunk(offset, length), last = lastChunk(offset, length);
        int needed = 0;
        for (int i = first; i <= last; i++) if (users[i] == 0) needed++;
        List<ChunkDriver.Chunk> taken = new ArrayList<>(needed);
        while (taken.size() < needed) {
            var c = budget.take();
            if (c.isEmpty()) {
                taken.forEach(budget::give);
                return false;
            }
            taken.add(c.get());
        }
        int next = 0;
        for (int i = first; i <= last; i++) {
            if (users[i]++ == 0) {
                ChunkDriver.Chunk c = taken.get(next++);
                driver.map(reservation, i * budget.chunkBytes(), c);
                mapped[i] = c;
                mappedCount++;
            }
        }
        return true;
    }

    /** Ends one commit of {@code [offset, offset + length)}: chunks no committed range touches any more are unmapped and returned. */
    public synchronized void decommit(long offset, long length) {
        checkOpen();
        int first = firstChunk(offset, length), last = lastChunk(offset, length);
        for (int i = first; i <= last; i++) {
            if (users[i] == 0) throw new IllegalStateException("decommitting bytes at " + offset + " that are not committed");
        }
        boolean waited = false;
        for (int i = first; i <= last; i++) {
            if (--users[i] == 0) {
                if (!waited) {
                    quiesce.run();
                    waited = true;
                }
                unmap(i);
            }
        }
    }

    /** Chunks mapped now. */
    public synchronized int mappedChunks() { return mappedCount; }

    /** Unmaps everything still mapped and gives the addresses back. */
    @Override
    public synchronized void close() {
        if (closed) return;
        if (mappedCount > 0) quiesce.run();
        for (int i = 0; i < mapped.length; i++) {
            if (mapped[i] != null) unmap(i);
            users[i] = 0;
        }
        driver.unreserve(reservation);
        closed = true;
    }

    private void unmap(int chunk) {
        driver.unmap(reservation, chunk * budget.chunkBytes());
        budget.give(mapped[chunk]);
        mapped[chunk] = null;
        mappedCount--;
    }

    private int firstChunk(long offset, long length) {
        if (offset < 0 || length <= 0 || offset + length > bytes) {
            throw new IllegalArgumentException("bytes [" + offset + ", " + (offset + length) + ") outside a span of " + bytes);
        }
        return (int) (offset / budget.chunkBytes());
    }

    private int lastChunk(long offset, long length) { return (int) ((offset + length - 1) / budget.chunkBytes()); }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("the span is closed");
    }
}
