package dev.aegaeon.runtime.cuda.memory;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Sub-allocates byte ranges of one fixed region (the weight pool of the VRAM arena). Plain Java:
 * it only hands out offsets, so it is tested without a GPU. First fit over an address-ordered
 * free list; freeing coalesces with both neighbours, so free space is always a set of maximal
 * disjoint ranges. Invariants: {@code used() + free() == capacity()}; allocations are aligned to
 * {@code alignment} and never overlap. Not thread-safe: the model runner owns it.
 */
public final class RangeAllocator {
    private final long capacity;
    private final long alignment;
    private final TreeMap<Long, Long> freeRanges = new TreeMap<>(); // offset -> length
    private final TreeMap<Long, Long> allocations = new TreeMap<>(); // offset -> length
    private long used;

    public RangeAllocator(long capacity, long alignment) {
        if (capacity < 0) throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two, got " + alignment);
        }
        this.capacity = capacity & -alignment;
        this.alignment = alignment;
        if (this.capacity > 0) freeRanges.put(0L, this.capacity);
    }

    /** An aligned range of at least {@code bytes}, or empty when no free range is large enough. */
    public OptionalLong allocate(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("allocation size must be positive, got " + bytes);
        long size = roundUp(bytes);
        for (Map.Entry<Long, Long> e : freeRanges.entrySet()) {
            long offset = e.getKey(), length = e.getValue(); // read before removal reuses the entry
            if (length >= size) {
                freeRanges.remove(offset);
                if (length > size) freeRanges.put(offset + size, length - size);
                allocations.put(offset, size);
                used += size;
                return OptionalLong.of(offset);
            }
        }
        return OptionalLong.empty();
    }

    /** Returns the range that {@link #allocate} gave at {@code offset}. */
    public void free(long offset) {
        Long size = allocations.remove(offset);
        if (size == null) throw new IllegalArgumentException("no allocation at offset " + offset);
        used -= size;
        long start = offset, length = size;
        Map.Entry<Long, Long> before = freeRanges.floorEntry(offset);
        if (before != null && before.getKey() + before.getValue() == offset) {
            start = before.getKey();
            length += before.getValue();
            freeRanges.remove(before.getKey());
        }
        Long afterLength = freeRanges.remove(offset + size);
        if (afterLength != null) length += afterLength;
        freeRanges.put(start, length);
    }

    public long capacity() { return capacity; }

    public long used() { return used; }

    public long free() { return capacity - used; }

    public long largestFree() {
        long best = 0;
        for (long len : freeRanges.values()) best = Math.max(best, len);
        return best;
    }

    public int allocationCount() { return allocations.size(); }

    /** 0 when the free space is one range; approaches 1 as it splinters: 1 - largest / total free. */
    public double fragmentation() {
        long free = free();
        return free == 0 ? 0.0 : 1.0 - (double) largestFree() / free;
    }

    private long roundUp(long bytes) {
        return Math.addExact(bytes, alignment - 1) & -alignment;
    }
}
