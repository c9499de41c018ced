package dev.aegaeon.gpubench.cuda;

import dev.aegaeon.runtime.backend.StepLayout;

import java.util.Random;

/**
 * Step layouts for the GPU benchmark: sequence s owns the contiguous blocks
 * [s * blocksPerSeq, (s + 1) * blocksPerSeq) of its model's KV cache.
 */
final class BenchLayouts {
    private final int blockSize;
    private final int blocksPerSeq;
    private final int vocab;
    private final Random rnd = new Random(42);

    BenchLayouts(int blockSize, int blocksPerSeq, int vocab) {
        this.blockSize = blockSize;
        this.blocksPerSeq = blocksPerSeq;
        this.vocab = vocab;
    }

    /** One new token per sequence at position {@code context} (context tokens already cached). */
    StepLayout decode(int firstSeq, int seqs, int context) {
        int[] ids = new int[seqs], pos = new int[seqs], slots = new int[seqs], qs = new int[seqs + 1], ctx = new int[seqs];
        int[] rows = new int[seqs];
        for (int i = 0; i < seqs; i++) {
            int s = firstSeq + i;
            ids[i] = rnd.nextInt(vocab);
            pos[i] = context;
            slots[i] = slot(s, context);
            qs[i + 1] = i + 1;
            ctx[i] = context + 1;
            rows[i] = i;
        }
        return new StepLayout(ids, pos, slots, qs, ctx, tables(firstSeq, seqs), blocksPerSeq, rows);
    }

    /** A prompt of {@code len} tokens for each of {@code seqs} sequences; logits of each last token. */
    StepLayout prefill(int firstSeq, int seqs, int len) {
        int n = seqs * len;
        int[] ids = new int[n], pos = new int[n], slots = new int[n], qs = new int[seqs + 1], ctx = new int[seqs];
        int[] rows = new int[seqs];
        for (int i = 0; i < seqs; i++) {
            for (int p = 0; p < len; p++) {
                int t = i * len + p;
                ids[t] = rnd.nextInt(vocab);
                pos[t] = p;
                slots[t] = slot(firstSeq + i, p);
            }
            qs[i + 1] = (i + 1) * len;
            ctx[i] = len;
            rows[i] = (i + 1) * len - 1;
        }
        return new StepLayout(ids, pos, slots, qs, ctx, tables(firstSeq, seqs), blocksPerSeq, rows);
    }

    /** The cache blocks holding positions [0, tokens) of sequence s. */
    int[] blocksOf(int s, int tokens) {
        int[] b = new int[(tokens + blockSize - 1) / blockSize];
        for (int i = 0; i < b.length; i++) b[i] = s * blocksPerSeq + i;
        return b;
    }

    private int slot(int s, int p) { return (s * blocksPerSeq + p / blockSize) * blockSize + p % blockSize; }

    private int[] tables(int firstSeq, int seqs) {
        int[] t = new int[seqs * blocksPerSeq];
        for (int i = 0; i < seqs; i++)
            for (int j = 0; j < blocksPerSeq; j++) t[i * blocksPerSeq + j] = (firstSeq + i) * blocksPerSeq + j;
        return t;
    }
}
