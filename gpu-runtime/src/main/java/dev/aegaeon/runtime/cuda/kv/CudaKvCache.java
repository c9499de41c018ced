package dev.aegaeon.runtime.cuda.kv;

import dev.aegaeon.runtime.cuda.memory.DeviceRegion;
import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;

/**
 * A model's paged KV cache: one weight-pool region of {@code numBlocks} blocks, block b holding
 * {@code blockSize} tokens of every layer, K then V, as bf16 ([layer][K|V][token][kvHead][dim]).
 * A block is contiguous, so a sequence swaps out and in one block copy at a time.
 */
public final class CudaKvCache implements KvCache {
    private final KvCacheShape shape;
    public final DeviceRegion region;

    public CudaKvCache(KvCacheShape shape, DeviceRegion region) {
        this.shape = shape;
        this.region = region;
    }

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
