package dev.aegaeon.runtime.engine;

/** Turns generated ids into text, for stop strings; the tokenizer adapts to this. */
@FunctionalInterface
public interface TokenDecoder {
    String decode(int[] ids);
}
