package dev.aegaeon.runtime.cuda.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * Plans the copies of a listed set of KV blocks through a staging buffer: the list is cut into
 * chunks that fit the buffer, and within a chunk each run of consecutive ascending block ids
 * travels as one copy (a block is contiguous on the device, so such a run is one contiguous range,
 * and the staging buffer holds the chunk's blocks in list order).
 */
record KvBlockRuns(int firstBlock, int firstIndex, int count) {
    KvBlockRuns {
        if (firstBlock < 0 || firstIndex < 0 || count <= 0) {
            throw new IllegalArgumentException("run of " + count + " blocks from block " + firstBlock + " at " + firstIndex);
        }
    }

    /**
     * The runs of {@code blocks[from..to)}; {@link #firstIndex} counts from {@code from} (the
     * position in the staging buffer). Duplicates and descending ids start a new run, so copies keep
     * the list's order (a later duplicate written last, as block-by-block copies would).
     */
    static List<KvBlockRuns> of(int[] blocks, int from, int to) {
        if (from < 0 || to > blocks.length || from > to) {
            throw new IllegalArgumentException("range [" + from + ", " + to + ") of " + blocks.length + " blocks");
        }
        List<KvBlockRuns> runs = new ArrayList<>();
        int i = from;
        while (i < to) {
            int j = i + 1;
            while (j < to && blocks[j] == blocks[j - 1] + 1) j++;
            runs.add(new KvBlockRuns(blocks[i], i - from, j - i));
            i = j;
        }
        return runs;
    }

    /** Blocks per staging chunk: as many as fit {@code limitBytes}, at least one. */
    static int blocksPerChunk(long blockBytes, long limitBytes) {
        if (blockBytes <= 0) throw new IllegalArgumentException("block of " + blockBytes + " bytes");
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, limitBytes / blockBytes));
    }
}
