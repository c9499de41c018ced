package dev.aegaeon.runtime.backend;

import java.util.Arrays;

/**
 * Host description of one forward step over {@code numSeqs} sequences of one model, flattened the
 * way varlen attention kernels want it. Built by the engine, handed to {@link Backend#beginStep}
 * once per step; every op of the step then reads the uploaded {@link StepInputs}.
 *
 * <p>Invariants (checked by the constructor):
 * <ul>
 *   <li>{@code tokenIds}, {@code positions}, {@code slotMapping} have one entry per token of the
 *       step, tokens of sequence {@code s} at rows {@code queryStart[s] .. queryStart[s+1]-1};</li>
 *   <li>{@code queryStart} has {@code numSeqs + 1} non-decreasing entries, starting at 0 and ending at
 *       the token count;</li>
 *   <li>{@code contextLengths[s]} = tokens of sequence {@code s} in the KV cache after this step's
 *       writes (cached prefix + this step's tokens);</li>
 *   <li>{@code blockTables} is {@code [numSeqs x maxBlocksPerSeq]}, row {@code s} lists the cache
 *       blocks of sequence {@code s} in position order (unused entries -1); position {@code p} of
 *       sequence {@code s} lives at slot {@code blockTables[s][p / blockSize] * blockSize + p % blockSize};</li>
 *   <li>{@code logitRows} lists the token rows whose logits the step produces, in output order.</li>
 * </ul>
 */
public record StepLayout(
        int[] tokenIds,
        int[] positions,
        int[] slotMapping,
        int[] queryStart,
        int[] contextLengths,
        int[] blockTables,
        int maxBlocksPerSeq,
        int[] logitRows) {

    public StepLayout {
        int tokens = tokenIds.length;
        if (positions.length != tokens || slotMapping.length != tokens) {
            throw new IllegalArgumentException("tokenIds, positions and slotMapping must have one entry per token");
        }
        int seqs = queryStart.length - 1;
        if (seqs < 1 || queryStart[0] != 0 || queryStart[seqs] != tokens) {
            throw new IllegalArgumentException("queryStart must run from 0 to the token count: "
                    + Arrays.toString(queryStart));
        }
        for (int s = 0; s < seqs; s++) {
            if (queryStart[s + 1] < queryStart[s]) throw new IllegalArgumentException("queryStart must not decrease");
        }
        if (contextLengths.length != seqs || blockTables.length != seqs * maxBlocksPerSeq) {
            throw new IllegalArgumentException("contextLengths / blockTables do not match " + seqs + " sequences");
        }
        for (int row : logitRows) {
            if (row < 0 || row >= tokens) throw new IllegalArgumentException("logit row " + row + " out of range");
        }
    }

    public int numTokens() { return tokenIds.length; }

    public int numSeqs() { return queryStart.length - 1; }
}
