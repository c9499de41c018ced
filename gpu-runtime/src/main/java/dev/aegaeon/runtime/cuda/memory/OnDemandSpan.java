package dev.aegaeon.runtime.cuda.memory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A reserved range of device addresses whose memory is mapped only where something lives: a byte
 * range is {@link #commit committed} before use and {@link #decommit decommitted} after, and each
 * chunk of the range is mapped while at least one committed range touches it (a count per chunk,
 * since neighbouring ranges may share one). Chunks come from the device's {@link ChunkBudget}.
 *
 * <p>A span that keeps spares leaves a chunk mapped when its count falls to zero (a spare), so the
 * next commit there needs no map: a model loaded where an evicted one lived reuses its chunks, where
 * unmapping and mapping again cost about 22,000 driver calls per 7B switch on the H100. Spares are
 * unmapped when a commit anywhere on the budget finds it short ({@link ChunkBudget#reclaimSpares}).
 *
 * <p>Invariants: a chunk is mapped when its count is positive, and a chunk with a zero count is
 * mapped only as a spare of a span that keeps them; {@link #mappedChunks()} chunks of the budget
 * are this span's; a commit is all or nothing; before it unmaps, the span runs its {@code quiesce}
 * (which waits for every queued kernel or copy that may use the span), so none reads an unmapped
 * address, and a decommit whose wait fails changes nothing. Callers pair every commit with one
 * decommit of the same range, and reuse a decommitted range only as they would reuse a freed
 * allocation (ordered after its last use). Thread-safe.
 */
public final class OnDemandSpan implements AutoCloseable {
    private final ChunkBudget budget;
    private final ChunkDriver driver;
    private final ChunkDriver.Reservation reservation;
    private final long bytes;
    private final Runnable quiesce;
    private final int[] users;
    private final ChunkDriver.Chunk[] mapped;
    private final boolean keepSpares;
    private int mappedCount;
    private boolean closed;

    /**
     * Reserves {@code bytes} (rounded up to whole chunks) of addresses; nothing is mapped yet.
     *
     * @param quiesce returns once no queued work may still use the span (the streams that touch it synchronised)
     */
    public OnDemandSpan(ChunkBudget budget, long bytes, Runnable quiesce) { this(budget, bytes, quiesce, false); }

    /**
     * As {@link #OnDemandSpan(ChunkBudget, long, Runnable)}, keeping chunks whose last range was
     * decommitted mapped as spares when {@code keepSpares}.
     */
    public OnDemandSpan(ChunkBudget budget, long bytes, Runnable quiesce, boolean keepSpares) {
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
        this.keepSpares = keepSpares;
        if (keepSpares) budget.addSpareHolder(this);
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
    public boolean commit(long offset, long length) { return commit(new long[] {offset}, length); }

    /**
     * {@link #commit(long, long)} of a range of {@code length} at each of {@code offsets}, all or
     * nothing. When the budget is short, the spares of every span on it are unmapped and the commit
     * tried once more (outside this span's lock, so two spans short at once cannot deadlock).
     */
    public boolean commit(long[] offsets, long length) {
        if (tryCommit(offsets, length)) return true;
        return budget.reclaimSpares() > 0 && tryCommit(offsets, length);
    }

    private synchronized boolean tryCommit(long[] offsets, long length) {
        checkOpen();
        BitSet fresh = new BitSet();
        for (long offset : offsets) {
            for (int i = firstChunk(offset, length), last = lastChunk(offset, length); i <= last; i++) {
                if (mapped[i] == null) fresh.set(i); // a spare (mapped, no users) is reused as it is
            }
        }
        List<ChunkDriver.Chunk> taken = new ArrayList<>(fresh.cardinality());
        while (taken.size() < fresh.cardinality()) {
            var c = budget.take();
            if (c.isEmpty()) {
                taken.forEach(budget::give);
                return false;
            }
            taken.add(c.get());
        }
        int next = 0;
        long chunk = budget.chunkBytes();
        for (int i = fresh.nextSetBit(0); i >= 0; i = fresh.nextSetBit(i + 1)) {
            ChunkDriver.Chunk c = taken.get(next++);
            driver.map(reservation, i * chunk, c);
            mapped[i] = c;
            mappedCount++;
        }
        for (int i = fresh.nextSetBit(0); i >= 0; ) {  // one open per run of fresh chunks
            int end = fresh.nextClearBit(i);
            driver.open(reservation, i * chunk, (end - i) * chunk);
            i = fresh.nextSetBit(end);
        }
        for (long offset : offsets) {
            for (int i = firstChunk(offset, length), last = lastChunk(offset, length); i <= last; i++) users[i]++;
        }
        return true;
    }

    /** Ends one commit of {@code [offset, offset + length)}: chunks no committed range touches any more are unmapped and returned. */
    public void decommit(long offset, long length) { decommit(new long[] {offset}, length); }

    /** {@link #decommit(long, long)} of a range of {@code length} at each of {@code offsets}, waiting once before the unmaps. */
    public void decommit(long[] offsets, long length) {
        long[] lengths = new long[offsets.length];
        java.util.Arrays.fill(lengths, length);
        decommit(offsets, lengths);
    }

    /** {@link #decommit(long, long)} of the range {@code [offsets[i], offsets[i] + lengths[i])} for each i, waiting once before the unmaps. */
    public synchronized void decommit(long[] offsets, long[] lengths) {
        checkOpen();
        if (offsets.length != lengths.length) throw new IllegalArgumentException(offsets.length + " offsets and " + lengths.length + " lengths");
        Map<Integer, Integer> ends = new TreeMap<>(); // chunk -> commits ending here
        for (int r = 0; r < offsets.length; r++) {
            long offset = offsets[r], length = lengths[r];
            for (int i = firstChunk(offset, length), last = lastChunk(offset, length); i <= last; i++) ends.merge(i, 1, Integer::sum);
        }
        for (var e : ends.entrySet()) {
            if (users[e.getKey()] < e.getValue()) throw new IllegalStateException("decommitting bytes of chunk " + e.getKey() + " that are not committed");
        }
        // Wait before changing anything: a wait that fails leaves every count and mapping as it was.
        if (!keepSpares && ends.entrySet().stream().anyMatch(e -> users[e.getKey()] == e.getValue())) quiesce.run();
        for (var e : ends.entrySet()) {
            int i = e.getKey();
            users[i] -= e.getValue();
            if (users[i] == 0 && !keepSpares) unmap(i);
        }
    }

    /** Chunks mapped now, spares included. */
    public synchronized int mappedChunks() { return mappedCount; }

    /** Chunks mapped with no committed range on them, kept for reuse. */
    public synchronized int spareChunks() {
        int n = 0;
        for (int i = 0; i < users.length; i++) if (users[i] == 0 && mapped[i] != null) n++;
        return n;
    }

    /** Unmaps every spare (one wait first) and returns it to the budget; how many. Never called under another span's lock. */
    synchronized int reclaimSpares() {
        if (closed || spareChunks() == 0) return 0;
        quiesce.run();
        int n = 0;
        for (int i = 0; i < users.length; i++) {
            if (users[i] == 0 && mapped[i] != null) {
                unmap(i);
                n++;
            }
        }
        return n;
    }

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
        if (keepSpares) budget.removeSpareHolder(this);
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
