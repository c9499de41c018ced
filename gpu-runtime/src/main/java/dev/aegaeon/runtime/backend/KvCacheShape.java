package dev.aegaeon.runtime.backend;

/**
 * Shape of one model's paged KV cache. A block holds {@code blockSize} consecutive token positions
 * of one sequence, for every layer, K and V, every KV head. A token's <em>slot</em> is
 * {@code block * blockSize + offsetInBlock}.
 */
public record KvCacheShape(int layers, int kvHeads, int headDim, int blockSize, int numBlocks) {

    public KvCacheShape {
        if (layers <= 0 || kvHeads <= 0 || headDim <= 0 || blockSize <= 0 || numBlocks <= 0) {
            throw new IllegalArgumentException("every KV cache dimension must be positive: " + this);
        }
    }

    /** fp32 elements of K (or of V) for one layer of one block. */
    public long elementsPerBlockPerLayer() { return (long) blockSize * kvHeads * headDim; }

    /** Bytes of one block over all layers, K and V, at {@code bytesPerElement}. */
    public long bytesPerBlock(int bytesPerElement) {
        return 2L * layers * elementsPerBlockPerLayer() * bytesPerElement;
    }

    public long slots() { return (long) numBlocks * blockSize; }
}
