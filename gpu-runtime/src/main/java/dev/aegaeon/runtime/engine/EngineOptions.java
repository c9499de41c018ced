package dev.aegaeon.runtime.engine;

/**
 * Per-engine settings.
 *
 * @param blockSize token positions per KV block
 * @param numBlocks KV blocks this model may use (its share of KV memory)
 * @param decoder   turns ids into text for stop strings and {@link Sequence#text()}; may be null
 * @param pages     the device's KV pages this engine shares with the other models there (each
 *                  block takes one page), or null for a private pool of {@code numBlocks}
 */
public record EngineOptions(int blockSize, int numBlocks, TokenDecoder decoder, SharedKvPages pages) {

    /** A private pool of {@code numBlocks}. */
    public EngineOptions(int blockSize, int numBlocks, TokenDecoder decoder) {
        this(blockSize, numBlocks, decoder, null);
    }

    public EngineOptions {
        if (blockSize <= 0) throw new IllegalArgumentException("blockSize must be positive");
        if (numBlocks <= 0) throw new IllegalArgumentException("numBlocks must be positive");
    }

    /** As many blocks of {@code blockSize} as fit in {@code kvBytes} for {@code config} at fp32 (the CPU cache). */
    public static EngineOptions forKvBytes(dev.aegaeon.runtime.model.ModelConfig config, long kvBytes, int blockSize) {
        long perBlock = 2L * config.numLayers() * blockSize * config.kvSize() * Float.BYTES;
        long blocks = Math.min(Integer.MAX_VALUE, kvBytes / perBlock);
        if (blocks < 1) throw new IllegalArgumentException(kvBytes + " bytes hold no KV block of " + perBlock + " bytes");
        return new EngineOptions(blockSize, (int) blocks, null);
    }

    public static EngineOptions defaults() { return new EngineOptions(16, 1024, null); }

    public EngineOptions withDecoder(TokenDecoder decoder) { return new EngineOptions(blockSize, numBlocks, decoder, pages); }

    /** Blocks drawn from the device's shared {@code pages} (null: a private pool). */
    public EngineOptions withPages(SharedKvPages pages) { return new EngineOptions(blockSize, numBlocks, decoder, pages); }
}
