package dev.aegaeon.runtime.cuda.kv;

import dev.aegaeon.runtime.cuda.memory.DeviceRegion;
import dev.aegaeon.runtime.cuda.memory.OnDemandSpan;
import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;

import java.util.Optional;

/**
 * A model's paged KV cache: {@code numBlocks} blocks at one range of device addresses, block b
 * holding {@code blockSize} tokens of every layer, K then V, as bf16 ([layer][K|V][token][kvHead][dim]).
 * A block is contiguous, so a sequence swaps out and in one block copy at a time. The range is
 * either a weight-pool region, whole, or a span of its own ({@link #growing}) whose memory is mapped
 * block by block as the engine allocates blocks; kernels and copies see the same layout either way.
 */
public final class CudaKvCache implements KvCache {
    private final KvCacheShape shape;
    public final DeviceRegion region;
    /** The span behind a growing cache; null for a weight-pool region. */
    private final OnDemandSpan span;

    public CudaKvCache(KvCacheShape shape, DeviceRegion region) {
        this(shape, region, null);
    }

    private CudaKvCache(KvCacheShape shape, DeviceRegion region, OnDemandSpan span) {
        this.shape = shape;
        this.region = region;
        this.span = span;
    }

    /** A cache over {@code span}, which has room for every block of {@code shape} and nothing mapped yet. */
    public static CudaKvCache growing(KvCacheShape shape, OnDemandSpan span) {
        long bytes = bytesFor(shape);
        if (span.bytes() < bytes) throw new IllegalArgumentException("a span of " + span.bytes() + " bytes for " + bytes + " of KV");
        return new CudaKvCache(shape, new DeviceRegion(span.base(), 0, bytes), span);
    }

    /** Bytes of every block of {@code shape} in bf16. */
    public static long bytesFor(KvCacheShape shape) { return shape.bytesPerBlock(2) * shape.numBlocks(); }

    /** The span whose memory is mapped block by block; empty for a weight-pool region. */
    public Optional<OnDemandSpan> span() { return Optional.ofNullable(span); }

    /** bf16 elements of one block (all layers, K and V). */
    public long blockElems() { return 2L * shape.layers() * shape.blockSize() * shape.kvHeads() * shape.headDim(); }

    public long blockBytes() { return 2 * blockElems(); }

    @Override public KvCacheShape shape() { return shape; }

    /** {@code cache} as a CUDA KV cache whose range holds every one of {@code blocks}; else an IllegalArgumentException. */
    public static CudaKvCache of(KvCache cache, int[] blocks) {
        if (!(cache instanceof CudaKvCache c)) throw new IllegalArgumentException("not a CUDA KV cache: " + cache);
        for (int b : blocks) {
            if (b < 0 || b >= c.shape().numBlocks()) throw new IllegalArgumentException("KV block " + b + " out of range");
        }
        return c;
    }
}
