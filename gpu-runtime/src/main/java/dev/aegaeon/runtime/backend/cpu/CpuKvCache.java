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

    /** Copies the given blocks out, layer by layer, K then V, blocks in the order given. */
    float[] readBlocks(int[] blocks) {
        int per = Math.toIntExact(shape.elementsPerBlockPerLayer());
        float[] host = new float[Math.multiplyExact(2 * shape.layers() * blocks.length, per)];
        int at = 0;
        for (int l = 0; l < shape.layers(); l++) {
            for (float[] side : new float[][] {keys[l], values[l]}) {
                for (int b : blocks) {
                    System.arraycopy(side, blockOffset(b, per), host, at, per);
                    at += per;
                }
            }
        }
        return host;
    }

    /** The inverse of {@link #readBlocks}: {@code host} must hold exactly those blocks in that layout. */
    void writeBlocks(int[] blocks, float[] host) {
        int per = Math.toIntExact(shape.elementsPerBlockPerLayer());
        if (host.length != 2L * shape.layers() * blocks.length * per) {
            throw new IllegalArgumentException("host KV copy of " + host.length + " floats does not fit " + blocks.length + " blocks");
        }
        int at = 0;
        for (int l = 0; l < shape.layers(); l++) {
            for (float[] side : new float[][] {keys[l], values[l]}) {
                for (int b : blocks) {
                    System.arraycopy(host, at, side, blockOffset(b, per), per);
                    at += per;
                }
            }
        }
    }

    /** A block's slots are contiguous: slot = block * blockSize + offset, laid out [slot][kvHead][headDim]. */
    private int blockOffset(int block, int perBlock) {
        if (block < 0 || block >= shape.numBlocks()) throw new IllegalArgumentException("KV block " + block + " out of range");
        return block * perBlock;
    }
}
