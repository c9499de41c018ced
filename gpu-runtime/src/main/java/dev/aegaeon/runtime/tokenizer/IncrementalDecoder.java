package dev.aegaeon.runtime.tokenizer;

import java.util.Arrays;

/**
 * Turns a growing list of generated ids into text deltas for streaming, the way TGI and vLLM do:
 * decode a short window of recent ids with and without the newest ones and emit the difference.
 * A delta is held back while the window ends in U+FFFD (an incomplete UTF-8 sequence split
 * across byte-level tokens), so multi-byte characters are never broken; and decoding a window
 * rather than single ids keeps the spaces that SentencePiece decoders attach to the next word.
 * Invariant: the concatenation of all deltas plus {@link #finish()} equals decoding all ids at
 * once. Not thread-safe (one per sequence).
 */
public final class IncrementalDecoder {

    private final TextTokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[16];
    private int size;
    private int prefixOffset;
    private int readOffset;

    IncrementalDecoder(TextTokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one generated id; returns the new text it completes (possibly empty). */
    public String next(int id) {
        if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
        ids[size++] = id;
        String prefix = tokenizer.decode(ids, prefixOffset, readOffset, skipSpecialTokens);
        String full = tokenizer.decode(ids, prefixOffset, size, skipSpecialTokens);
        if (full.length() > prefix.length() && !full.endsWith("\uFFFD")) {
            prefixOffset = readOffset;
            readOffset = size;
            return full.substring(prefix.length());
        }
        return "";
    }

    /** The text still held back (e.g. a trailing incomplete character), once the sequence ends. */
    public String finish() {
        String prefix = tokenizer.decode(ids, prefixOffset, readOffset, skipSpecialTokens);
        String full = tokenizer.decode(ids, prefixOffset, size, skipSpecialTokens);
        prefixOffset = readOffset = size;
        return full.length() > prefix.length() ? full.substring(prefix.length()) : "";
    }

    /** Ids added so far. */
    public int[] ids() { return Arrays.copyOf(ids, size); }
}
