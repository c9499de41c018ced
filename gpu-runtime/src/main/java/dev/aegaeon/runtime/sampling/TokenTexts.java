package dev.aegaeon.runtime.sampling;

import java.util.function.IntFunction;

/**
 * The text of each vocabulary id decoded alone, as a constraint tries it against the output so far
 * (a byte-level piece of a multi-byte character decodes to U+FFFD, which JSON allows only inside
 * strings). Decoded lazily and cached; thread-safe for readers (idempotent writes).
 */
public final class TokenTexts {
    private final String[] texts;
    private final IntFunction<String> decode;

    public TokenTexts(int vocabSize, IntFunction<String> decode) {
        this.texts = new String[vocabSize];
        this.decode = decode;
    }

    public int size() { return texts.length; }

    public String text(int id) {
        String t = texts[id];
        if (t == null) texts[id] = t = decode.apply(id);
        return t;
    }
}
