package dev.aegaeon.runtime.cuda.memory;

import jcuda.driver.CUdeviceptr;

import java.util.Optional;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

/**
 * The one VRAM allocation of a device, made at start. Its low part is the weight pool (model
 * weights of several resident models plus the runner's workspace, sub-allocated by a
 * {@link RangeAllocator}); its high part is the KV page pool ({@link PagePool}). After start
 * nothing calls cuMemAlloc/cuMemFree: loads, evictions and sequences only move offsets.
 * Thread-safe: a pool allocates step workspaces on a device's compute thread while its scheduler
 * thread evicts models and closes engines (the allocators themselves are plain, unsynchronised).
 */
public final class DeviceArena implements AutoCloseable {
    private static final long ALIGN = 256;
    private final CUdeviceptr base = new CUdeviceptr();
    private final long bytes;
    private final long weightBytes;
    private final RangeAllocator weights;
    private final PagePool kvPages;

    public DeviceArena(long bytes, double kvShare, long kvPageBytes) {
        if (kvShare < 0 || kvShare >= 1) throw new IllegalArgumentException("kv share must be in [0, 1), got " + kvShare);
        long kvBytes = (long) (bytes * kvShare) / kvPageBytes * kvPageBytes;
        this.weightBytes = (bytes - kvBytes) & -ALIGN;
        this.bytes = weightBytes + kvBytes;
        cuMemAlloc(base, this.bytes);
        this.weights = new RangeAllocator(weightBytes, ALIGN);
        this.kvPages = new PagePool(kvPageBytes, (int) (kvBytes / kvPageBytes));
    }

    /** A weight-pool region, or empty when no free range is large enough. */
    public synchronized Optional<DeviceRegion> allocate(long size) {
        var off = weights.allocate(size);
        return off.isPresent()
                ? Optional.of(new DeviceRegion(base.withByteOffset(off.getAsLong()), off.getAsLong(), size))
                : Optional.empty();
    }

    public synchronized DeviceRegion allocateOrThrow(long size, String what) {
        return allocate(size).orElseThrow(() -> new IllegalStateException("no room in the VRAM weight pool for "
                + what + " (" + size + " bytes; " + weights.free() + " free, largest range " + weights.largestFree() + ")"));
    }

    public synchronized void free(DeviceRegion region) { weights.free(region.offset()); }

    public PagePool kvPages() { return kvPages; }

    /** Device address of the first KV page; page p starts p * pageBytes after it. */
    public CUdeviceptr kvBase() { return base.withByteOffset(weightBytes); }

    public synchronized ArenaOccupancy occupancy() { return ArenaOccupancy.of(bytes, weights, kvPages); }

    @Override
    public void close() { cuMemFree(base); }
}
