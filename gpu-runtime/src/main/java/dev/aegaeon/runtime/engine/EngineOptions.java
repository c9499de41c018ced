package dev.aegaeon.runtime.engine;

/**
 * Per-engine settings.
 *
 * @param blockSize token positions per KV block
 * @param numBlocks KV blocks this model may use (its share of KV memory)
 * @param decoder   turns ids into text for stop strings and {@link Sequence#text()}; may be null
 */
public record EngineOptions(int blockSize, int numBlocks, TokenDecoder decoder) {

    public EngineOptions {
        if (blockSize <= 0) throw new IllegalArgumentException("blockSize must be positive");
        if (numBlocks <= 0) throw new IllegalArgumentException("numBlocks must be positive");
    }

    public static EngineOptions defaults() { return new EngineOptions(16, 1024, null); }

    public EngineOptions withDecoder(TokenDecoder decoder) { return new EngineOptions(blockSize, numBlocks, decoder); }
}
