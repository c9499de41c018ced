package dev.aegaeon.runtime.backend.cpu;

import dev.aegaeon.runtime.backend.KvCache;
import dev.aegaeon.runtime.backend.KvCacheShape;

/**
 * fp32 K and V per layer, each laid out {@code [slot][kvHead][headDim]}. A growing cache's arrays grow
 * with use, a whole number of blocks at a time (doubling), up to the shape's {@code numBlocks}: an
 * engine whose blocks come from a device's shared pages may address the whole pool, but host memory
 * follows the highest block it has written. Every slot a step reads was written first, so reads need
 * no growth. A cache that does not grow allocates every block at once.
 */
final class CpuKvCache implements KvCache {
    private static final int INITIAL_BLOCKS = 64;

    private final KvCacheShape shape;
    final float[][] keys;
    final float[][] values;
    /** Blocks the arrays hold now. */
    private int capacityBlocks;

    CpuKvCache(KvCacheShape shape, boolean growing) {
        long perLayer = shape.slots() * shape.kvHeads() * shape.headDim();
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("KV cache of " + perLayer + " elements per layer is too large for the CPU backend");
        }
        this.shape = shape;
        this.keys = new float[shape.layers()][];
        this.values = new float[shape.layers()][];
        this.capacityBlocks = growing ? Math.min(shape.numBlocks(), INITIAL_BLOCKS) : shape.numBlocks();
        int elements = Math.toIntExact(capacityBlocks * shape.elementsPerBlockPerLayer());
        for (int l = 0; l < shape.layers(); l++) {
            keys[l] = new float[elements];
            values[l] = new float[elements];
        }
    }

    /** Grows the arrays so the block holding {@code slot} is backed; the slot must be inside the shape. */
    void ensureSlot(int slot) {
        int block = slot / shape.blockSize();
        if (block < capacityBlocks) return;
        if (block >= shape.numBlocks()) throw new IllegalArgumentException("slot " + slot + " beyond the KV cache");
        int grown = (int) Math.min(shape.numBlocks(), Math.max(block + 1L, 2L * capacityBlocks));
        int elements = Math.toIntExact(grown * shape.elementsPerBlockPerLayer());
        for (int l = 0; l < shape.layers(); l++) {
            keys[l] = java.util.Arrays.copyOf(keys[l], elements);
            values[l] = java.util.Arrays.copyOf(values[l], elements);
        }
        capacityBlocks = grown;
    }

    @Override public KvCacheShape shape() { return shape; }

    /** Copies the given blocks out, layer by layer, K then V, blocks in the order given. */
    float[] readBlocks(int[] blocks) {
        backAll(blocks);
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
        backAll(blocks);
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

    /** Backs every given block before any array is read, so a growth cannot replace an array mid-copy. */
    private void backAll(int[] blocks) {
        for (int b : blocks) {
            if (b < 0 || b >= shape.numBlocks()) throw new IllegalArgumentException("KV block " + b + " out of range");
            ensureSlot(b * shape.blockSize());
        }
    }

    /** A block's slots are contiguous: slot = block * blockSize + offset, laid out [slot][kvHead][headDim]. */
    private int blockOffset(int block, int perBlock) {
        if (block < 0 || block >= shape.numBlocks()) throw new IllegalArgumentException("KV block " + block + " out of range");
        return block * perBlock;
    }
}
