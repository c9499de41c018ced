package dev.aegaeon.runtime.cuda.kv;

import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;
import dev.aegaeon.runtime.cuda.CudaDevice;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The KV caches allocated on one device and not yet freed, each one weight-pool region, oldest first. */
public final class KvCaches {
    private final CudaDevice dev;
    private final List<CudaKvCache> live = Collections.synchronizedList(new ArrayList<>());

    public KvCaches(CudaDevice dev) {
        this.dev = dev;
    }

    /** A cache of {@code shape.numBlocks()} bf16 blocks from the weight pool. */
    public CudaKvCache allocate(KvCacheShape shape) {
        long bytes = shape.bytesPerBlock(2) * shape.numBlocks();
        dev.makeCurrent();
        CudaKvCache c = new CudaKvCache(shape, dev.arena().allocateOrThrow(bytes, "a KV cache of " + shape.numBlocks() + " blocks"));
        live.add(c);
        return c;
    }

    /** Returns {@code c}'s region to the weight pool; the caller has synchronised with every op using it. */
    public void free(CudaKvCache c) {
        dev.arena().free(c.region);
        live.remove(c);
    }

    /** The live caches, oldest first. */
    public List<KvCache> live() {
        synchronized (live) {
            return List.copyOf(live);
        }
    }
}
