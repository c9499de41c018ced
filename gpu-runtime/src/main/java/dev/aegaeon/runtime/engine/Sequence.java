package dev.aegaeon.runtime.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

import dev.aegaeon.runtime.sampling.JsonConstraint;
import dev.aegaeon.runtime.sampling.TokenHistory;

/**
 * One request's state inside one engine: its prompt, the tokens generated so far, its KV block table
 * and how many of its tokens are in the KV cache. Created by {@link InferenceEngine#newSequence};
 * mutated only by its owner engine's steps. The owner changes only through
 * {@link InferenceEngine#adopt} (KV handed from one device to another while it sits in host memory).
 */
public final class Sequence {
    private final long id;
    private InferenceEngine owner;
    private final int[] prompt;
    private final SamplingParams params;
    private final SplittableRandom random;
    private int[] generated = new int[16];
    private int generatedCount;
    private int[] blocks = new int[4];
    private int blockCount;
    private int cachedTokens;
    private FinishReason finishReason;
    private String text = "";
    private final TokenHistory history;
    private final JsonConstraint constraint;

    Sequence(long id, InferenceEngine owner, int[] prompt, SamplingParams params, JsonConstraint constraint) {
        this.id = id;
        this.owner = owner;
        this.prompt = prompt.clone();
        this.params = params;
        this.random = params.seed() == null ? new SplittableRandom() : new SplittableRandom(params.seed());
        this.history = params.penalties().active() ? new TokenHistory(prompt) : null;
        this.constraint = constraint;
    }

    public long id() { return id; }

    public SamplingParams params() { return params; }

    public int[] promptIds() { return prompt.clone(); }

    public int promptLength() { return prompt.length; }

    public int[] generatedIds() { return Arrays.copyOf(generated, generatedCount); }

    public int generatedCount() { return generatedCount; }

    /** Prompt plus generated tokens. */
    public int length() { return prompt.length + generatedCount; }

    /** Tokens whose K/V are in the cache (all but the newest generated one while running). */
    public int cachedTokens() { return cachedTokens; }

    public boolean isFinished() { return finishReason != null; }

    /** Null while running. */
    public FinishReason finishReason() { return finishReason; }

    /** Decoded generated text (cut before a matched stop string); empty when the engine has no decoder. */
    public String text() { return text; }

    /** KV block ids in position order; a copy. */
    public int[] blockTable() { return Arrays.copyOf(blocks, blockCount); }

    // ---- engine-private mutation ----

    InferenceEngine owner() { return owner; }

    /** Hand-off: another engine of the same model takes this swapped-out sequence (see {@link InferenceEngine#adopt}). */
    void moveTo(InferenceEngine engine) { owner = engine; }

    int tokenAt(int position) {
        return position < prompt.length ? prompt[position] : generated[position - prompt.length];
    }

    int blockCount() { return blockCount; }

    int block(int index) { return blocks[index]; }

    void addBlocks(int[] ids) {
        if (blockCount + ids.length > blocks.length) blocks = Arrays.copyOf(blocks, Math.max(blocks.length * 2, blockCount + ids.length));
        System.arraycopy(ids, 0, blocks, blockCount, ids.length);
        blockCount += ids.length;
    }

    int[] takeBlocks() {
        int[] taken = Arrays.copyOf(blocks, blockCount);
        blockCount = 0;
        return taken;
    }

    void setCachedTokens(int n) { cachedTokens = n; }

    void append(int token) {
        if (generatedCount == generated.length) generated = Arrays.copyOf(generated, generated.length * 2);
        generated[generatedCount++] = token;
        if (history != null) history.accept(token);
        if (constraint != null) constraint.accept(token);
    }

    /** Prompt and output ids for the penalties; null when none is active. */
    TokenHistory history() { return history; }

    /** The response_format constraint; null for free text. */
    JsonConstraint constraint() { return constraint; }

    void setText(String text) { this.text = text; }

    void finish(FinishReason reason) { if (finishReason == null) finishReason = reason; }

    double nextUniform() { return random.nextDouble(); }

    @Override
    public String toString() {
        return "Sequence[" + id + ", prompt " + prompt.length + ", generated " + generatedCount
                + (finishReason == null ? "" : ", " + finishReason) + "]";
    }
}
