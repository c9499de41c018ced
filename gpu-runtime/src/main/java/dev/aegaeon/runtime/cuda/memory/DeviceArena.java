package dev.aegaeon.runtime.cuda.memory;

import jcuda.driver.CUdeviceptr;

import java.util.Optional;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

/**
 * The weight pool of a device: model weights of several resident models plus the runners'
 * workspaces, sub-allocated by a {@link RangeAllocator}, so loads and evictions only move offsets.
 * Its addresses are either one allocation made at start ({@link #allocated}), or reserved with
 * memory mapped from the device's {@link ChunkBudget} as regions are allocated and unmapped as they
 * are freed ({@link #onDemand}), so weights and on-demand KV caches share one physical budget.
 * Thread-safe: a pool allocates step workspaces on a device's compute thread while its scheduler
 * thread evicts models and closes engines.
 */
public final class DeviceArena implements AutoCloseable {
    private static final long ALIGN = 256;
    private final CUdeviceptr base;
    private final long bytes;
    private final RangeAllocator weights;
    /** Null when the arena is one allocation. */
    private final OnDemandSpan span;
    private final ChunkBudget budget;

    private DeviceArena(CUdeviceptr base, long bytes, OnDemandSpan span, ChunkBudget budget) {
        this.base = base;
        this.bytes = bytes;
        this.weights = new RangeAllocator(bytes, ALIGN);
        this.span = span;
        this.budget = budget;
    }

    /** An arena of {@code bytes} allocated now, whole. */
    public static DeviceArena allocated(long bytes) {
        long b = bytes & -ALIGN;
        CUdeviceptr base = new CUdeviceptr();
        cuMemAlloc(base, b);
        return new DeviceArena(base, b, null, null);
    }

    /**
     * An arena of {@code bytes} of addresses whose memory comes from {@code budget} region by region.
     *
     * @param quiesce returns once no queued work uses the arena (before a freed region is unmapped)
     */
    public static DeviceArena onDemand(ChunkBudget budget, long bytes, Runnable quiesce) {
        return onDemand(budget, bytes, quiesce, false);
    }

    /**
     * As {@link #onDemand(ChunkBudget, long, Runnable)}; with {@code keepSpares} a freed region's
     * chunks stay mapped for the next region there (a model loaded where an evicted one lived) until
     * the budget runs short ({@link OnDemandSpan}).
     */
    public static DeviceArena onDemand(ChunkBudget budget, long bytes, Runnable quiesce, boolean keepSpares) {
        OnDemandSpan span = new OnDemandSpan(budget, bytes, quiesce, keepSpares);
        return new DeviceArena(span.base(), span.bytes(), span, budget);
    }

    /** Bytes mapped with no region on them, kept for reuse (0 unless on demand with spares). */
    public long spareBytes() { return span == null ? 0 : span.spareChunks() * budget.chunkBytes(); }

    /** Bytes of addresses the weight pool spans. */
    public long bytes() { return bytes; }

    /** True when memory is mapped region by region ({@link #onDemand}). */
    public boolean isOnDemand() { return span != null; }

    /** A region, or empty when no free range is large enough (or, on demand, the budget has no memory for it). */
    public synchronized Optional<DeviceRegion> allocate(long size) {
        var off = weights.allocate(size);
        if (off.isEmpty()) return Optional.empty();
        if (span != null && !span.commit(off.getAsLong(), size)) {
            weights.free(off.getAsLong());
            return Optional.empty();
        }
        return Optional.of(new DeviceRegion(base.withByteOffset(off.getAsLong()), off.getAsLong(), size));
    }

    public synchronized DeviceRegion allocateOrThrow(long size, String what) {
        return allocate(size).orElseThrow(() -> new IllegalStateException("no room in the VRAM weight pool for "
                + what + " (" + size + " bytes; " + weights.free() + " free, largest range " + weights.largestFree()
                + (budget == null ? ")" : "; device memory in use " + budget.bytesInUse() + " of "
                        + budget.limitBytes() + ")")));
    }

    /** Frees {@code region}; when the wait before an unmap fails, it throws and the region stays allocated. */
    public synchronized void free(DeviceRegion region) {
        if (span != null) span.decommit(region.offset(), region.bytes());
        weights.free(region.offset());
    }

    /** Frees every region of {@code regions} (each allocated here and not yet freed); on demand, one wait before all the unmaps. */
    public synchronized void freeAll(java.util.List<DeviceRegion> regions) {
        long[] offsets = new long[regions.size()], lengths = new long[regions.size()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = regions.get(i).offset();
            lengths[i] = regions.get(i).bytes();
        }
        if (span != null && offsets.length > 0) span.decommit(offsets, lengths); // may throw: nothing freed then
        for (long offset : offsets) weights.free(offset);
    }

    public synchronized ArenaOccupancy occupancy() {
        return new ArenaOccupancy(bytes, weights.capacity(), weights.used(), weights.largestFree(), weights.fragmentation(),
                budget == null ? bytes : budget.bytesInUse());
    }

    @Override
    public void close() {
        if (span != null) span.close();
        else cuMemFree(base);
    }
}
