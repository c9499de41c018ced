package dev.aegaeon.runtime.cuda.kv;

import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.weights.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Converts between one device KV block (bf16, {@code [layer][K|V][token][kvHead][dim]}, see
 * {@link CudaKvCache}) and the host layout the CPU backend's {@code readKvBlocks} produces (fp32,
 * {@code [layer][K|V][block i of the list][token][kvHead][dim]}), so a sequence swapped out on one
 * backend swaps in on the other. bf16 to fp32 is exact; fp32 to bf16 rounds to nearest even, which
 * returns every value that came from bf16 unchanged (so a CUDA swap round trip is bit-exact).
 */
public final class KvHostLayout {
    /** A bf16 element as the device stores it (little-endian), at any even offset. */
    private static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private KvHostLayout() {}

    /** Floats of the host copy of {@code blocks} blocks; a clear error where a Java array cannot hold it. */
    public static int hostLength(KvCacheShape shape, int blocks) {
        long n = 2L * shape.layers() * blocks * shape.elementsPerBlockPerLayer();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a host KV copy of " + blocks + " blocks (" + n
                    + " floats) exceeds a Java array; swap the sequence in smaller parts");
        }
        return (int) n;
    }

    /** Widens device block {@code block} (the {@code index}-th of {@code count} listed) into {@code host}. */
    public static void blockToHost(KvCacheShape shape, short[] block, int index, int count, float[] host) {
        int per = (int) shape.elementsPerBlockPerLayer();
        for (int part = 0; part < 2 * shape.layers(); part++) { // part = layer * 2 + (K ? 0 : 1)
            int src = part * per, dst = (part * count + index) * per;
            for (int e = 0; e < per; e++) host[dst + e] = DType.bf16ToFloat(block[src + e]);
        }
    }

    /** Rounds the {@code index}-th of {@code count} listed blocks of {@code host} into a device block image. */
    public static void hostToBlock(KvCacheShape shape, float[] host, int index, int count, short[] block) {
        int per = (int) shape.elementsPerBlockPerLayer();
        for (int part = 0; part < 2 * shape.layers(); part++) {
            int dst = part * per, src = (part * count + index) * per;
            for (int e = 0; e < per; e++) block[dst + e] = DType.floatToBf16(host[src + e]);
        }
    }

    /**
     * As {@link #blockToHost(KvCacheShape, short[], int, int, float[])}, reading the device block
     * image from {@code src} at byte {@code offset} (a pinned staging buffer).
     */
    public static void blockToHost(KvCacheShape shape, MemorySegment src, long offset, int index, int count, float[] host) {
        int per = (int) shape.elementsPerBlockPerLayer();
        for (int part = 0; part < 2 * shape.layers(); part++) {
            long s = offset + 2L * part * per;
            int dst = (part * count + index) * per;
            for (int e = 0; e < per; e++) host[dst + e] = DType.bf16ToFloat(src.get(BF16, s + 2L * e));
        }
    }

    /**
     * As {@link #hostToBlock(KvCacheShape, float[], int, int, short[])}, writing the device block
     * image into {@code dst} at byte {@code offset} (a pinned staging buffer).
     */
    public static void hostToBlock(KvCacheShape shape, float[] host, int index, int count, MemorySegment dst, long offset) {
        int per = (int) shape.elementsPerBlockPerLayer();
        for (int part = 0; part < 2 * shape.layers(); part++) {
            long d = offset + 2L * part * per;
            int src = (part * count + index) * per;
            for (int e = 0; e < per; e++) dst.set(BF16, d + 2L * e, DType.floatToBf16(host[src + e]));
        }
    }
}
