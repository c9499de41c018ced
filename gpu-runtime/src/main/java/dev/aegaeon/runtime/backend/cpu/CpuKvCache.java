package dev.aegaeon.runtime.backend.cpu;

import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;

/** fp32 K and V per layer, each laid out {@code [slot][kvHead][headDim]}. */
final class CpuKvCache implements KvCache {
    private final KvCacheShape shape;
    final float[][] keys;
    final float[][] values;

    CpuKvCache(KvCacheShape shape) {
        long perLayer = shape.slots() * shape.kvHeads() * shape.headDim();
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("KV cache of " + perLayer + " elements per layer is too large for the CPU backend");
        }
        this.shape = shape;
        this.keys = new float[shape.layers()][(int) perLayer];
        this.values = new float[shape.layers()][(int) perLayer];
    }

    @Override public KvCacheShape shape() { return shape; }
}
