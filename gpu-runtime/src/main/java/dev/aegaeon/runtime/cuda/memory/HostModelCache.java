package dev.aegaeon.runtime.cuda.memory;

import dev.aegaeon.runtime.cuda.CudaDevice;
import dev.aegaeon.runtime.weights.DType;
import dev.aegaeon.runtime.weights.WeightTensor;
import jcuda.Pointer;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.LongStream;

import static jcuda.driver.JCudaDriver.cuMemFreeHost;

/**
 * Model weights in pinned host memory (cuMemHostAlloc), filled once from the memory-mapped
 * source: bf16 and f16 tensors as bf16, f32 tensors as f32 (rounding a float32 checkpoint to bf16
 * moved its logits by 1-3e-2 against HF's; CUDA-NOTES.md), so every later scale-up is one DMA per tensor at full PCIe speed.
 * Least-recently-used by bytes: when over capacity, entries no weight references are freed first.
 * Weights keep their entry referenced while they live, so evicting a model from the GPU and
 * loading it again (scale-down, scale-up) always copies from here, never from disk. Entries are
 * keyed by {@link HostCacheKeys}' source key and the tensor name, so models whose sources share an
 * identity share one entry (one reference per weight): host memory is shared, device copies are not.
 */
public final class HostModelCache implements AutoCloseable {
    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static final class Entry {
        public final String key;
        public final Pointer pinned;
        public final long bytes;
        /** BF16 or F32: the element type of the pinned copy and so of the device copy. */
        public final DType dtype;
        int references;

        Entry(String key, Pointer pinned, long bytes, DType dtype) {
            this.key = key;
            this.pinned = pinned;
            this.bytes = bytes;
            this.dtype = dtype;
        }
    }

    private final long capacityBytes;
    private final LinkedHashMap<String, Entry> lru = new LinkedHashMap<>(16, 0.75f, true);
    private long usedBytes;

    public HostModelCache(long capacityBytes) { this.capacityBytes = capacityBytes; }

    /** The element type the cache keeps {@code source} in: F32 stays F32, BF16 and F16 become BF16. */
    static DType storedType(DType source) { return source == DType.F32 ? DType.F32 : DType.BF16; }

    /** The bytes of {@code t} (from {@code sourceKey}) as {@link #storedType}, filled on a miss; referenced until {@link #unref}. */
    public synchronized Entry acquire(String sourceKey, WeightTensor t) {
        String key = sourceKey + "/" + t.name();
        Entry e = lru.get(key);
        if (e != null && (e.dtype != storedType(t.dtype()) || e.bytes != e.dtype.byteSize() * t.elementCount())) {
            throw new IllegalStateException("host cache entry " + key + " holds " + e.bytes + " bytes of " + e.dtype
                    + " but the tensor has " + t.elementCount() + " elements of " + t.dtype() + ": two sources claim one identity");
        }
        if (e == null) {
            DType stored = storedType(t.dtype());
            long bytes = stored.byteSize() * t.elementCount();
            evictUnreferenced(bytes);
            Pointer p = CudaDevice.allocPinned(bytes);
            if (stored == t.dtype()) MemorySegment.copy(t.data(), 0, segment(p, bytes), 0, bytes);
            else fillBf16(t, segment(p, bytes));
            e = new Entry(key, p, bytes, stored);
            lru.put(key, e);
            usedBytes += bytes;
        }
        e.references++;
        return e;
    }

    public synchronized void unref(Entry e) {
        e.references--;
        evictUnreferenced(0);
    }

    public synchronized long usedBytes() { return usedBytes; }

    private void evictUnreferenced(long incoming) {
        Iterator<Map.Entry<String, Entry>> it = lru.entrySet().iterator();
        while (usedBytes + incoming > capacityBytes && it.hasNext()) {
            Entry e = it.next().getValue();
            if (e.references > 0) continue;
            it.remove();
            usedBytes -= e.bytes;
            cuMemFreeHost(e.pinned);
        }
    }

    /** The pinned allocation as a memory segment (JCuda exposes host pointers as ByteBuffers). */
    public static MemorySegment segment(Pointer pinned, long bytes) {
        long address = MemorySegment.ofBuffer(pinned.getByteBuffer(0, 1)).address();
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    private static void fillBf16(WeightTensor t, MemorySegment dst) {
        long n = t.elementCount();
        MemorySegment src = t.data();
        long chunk = 1 << 20;
        LongStream.range(0, (n + chunk - 1) / chunk).parallel().forEach(c -> {
            long end = Math.min(n, (c + 1) * chunk);
            for (long i = c * chunk; i < end; i++) {
                float v = t.dtype() == DType.F32 ? src.get(FLOAT_LE, 4 * i) : Float.float16ToFloat(src.get(SHORT_LE, 2 * i));
                dst.set(SHORT_LE, 2 * i, DType.floatToBf16(v));
            }
        });
    }

    @Override
    public synchronized void close() {
        for (Entry e : lru.values()) cuMemFreeHost(e.pinned);
        lru.clear();
        usedBytes = 0;
    }
}
