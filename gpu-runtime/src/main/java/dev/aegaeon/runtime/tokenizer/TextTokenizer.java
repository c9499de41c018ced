package dev.aegaeon.runtime.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * A model's HF tokenizer ({@code tokenizer.json}) through DJL's binding of the Rust
 * {@code tokenizers} library. Offline by construction: DJL's bundled CPU native library is used
 * and nothing is downloaded. Truncation and padding are off (DJL truncates to 512 tokens by
 * default), so every id of a long prompt comes back. Thread-safe; close to free the native handle.
 */
public final class TextTokenizer implements AutoCloseable {

    public static final String FILE_NAME = "tokenizer.json";

    static {
        NativeDefaults.apply();
    }

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;

    private TextTokenizer(Path file, HuggingFaceTokenizer tokenizer) {
        this.file = file;
        this.tokenizer = tokenizer;
    }

    /** Loads {@code modelDir/tokenizer.json}. */
    public static TextTokenizer load(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) throw new TokenizerException(file + " does not exist");
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(false)
                    .build();
            return new TextTokenizer(file, t);
        } catch (Exception | UnsatisfiedLinkError e) {
            throw new TokenizerException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() { return file; }

    /**
     * @param addSpecialTokens apply the tokenizer's post-processor (e.g. Llama 3's BOS); chat
     *                         templates already spell special tokens out, so pass false for them
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        Encoding enc = tokenizer.encode(text, addSpecialTokens, false);
        long[] ids = enc.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    /**
     * @throws TokenizerException for a negative id (ids beyond the vocabulary decode to nothing,
     *                            as in HF)
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return decode(ids, 0, ids.length, skipSpecialTokens);
    }

    public String decode(int[] ids, int from, int to, boolean skipSpecialTokens) {
        long[] wide = new long[to - from];
        for (int i = from; i < to; i++) {
            if (ids[i] < 0) throw new TokenizerException("token id " + ids[i] + " is negative");
            wide[i - from] = ids[i];
        }
        return tokenizer.decode(wide, skipSpecialTokens);
    }

    /** The id of a token that encodes to exactly one id (e.g. "<|im_end|>"), if any. */
    public OptionalInt tokenId(String token) {
        int[] ids = encode(token, false);
        return ids.length == 1 ? OptionalInt.of(ids[0]) : OptionalInt.empty();
    }

    /** A decoder for one generated sequence, emitting text as ids arrive. */
    public IncrementalDecoder incrementalDecoder(boolean skipSpecialTokens) {
        return new IncrementalDecoder(this, skipSpecialTokens);
    }

    @Override
    public void close() { tokenizer.close(); }
}
