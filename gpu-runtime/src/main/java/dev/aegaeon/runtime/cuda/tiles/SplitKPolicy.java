package dev.aegaeon.runtime.cuda.tiles;

/**
 * How many K-slices a tensor-core product's grid is split into, so that small grids still keep
 * every multiprocessor streaming weights; partials go to the matrix-product workspace and a reduce
 * pass sums them. Not thread-safe: one per device, set between steps.
 */
public final class SplitKPolicy {
    /** The most K-slices of one product. */
    public static final int MAX_SPLITS = 16;
    private final int multiprocessors;
    private int waves = 4;

    public SplitKPolicy(int multiprocessors) {
        this.multiprocessors = multiprocessors;
    }

    /** K-slices for a grid of {@code blocks} tiles of an M x K product (1: no split). */
    public int splitsFor(int blocks, int m, int k) {
        if (k < 1024) return 1;
        if (m > 128) {
            // Large M is compute-bound: split only grids that leave half the multiprocessors idle,
            // into as many K-slices as fit one wave. A fuller grid gains nothing (112 blocks of
            // 128 x 256 split in two run as two half-K waves: as long as one whole one, plus the
            // partials' traffic), and a wave and a bit (16 blocks x 9) costs as much as two.
            if (2L * blocks > multiprocessors) return 1;
            return Math.min(Math.min(MAX_SPLITS, k / 256), multiprocessors / blocks);
        }
        long target = (long) waves * multiprocessors;
        if (blocks >= target) return 1;
        return (int) Math.min(Math.min(MAX_SPLITS, k / 256), (target + blocks - 1) / blocks);
    }

    /**
     * Products of up to 128 rows split K until the grid has {@code waves} x multiprocessors blocks
     * (1..8; default 4).
     */
    public void setWaves(int waves) {
        if (waves < 1 || waves > 8) throw new IllegalArgumentException("split-K waves must be in 1..8, got " + waves);
        this.waves = waves;
    }

    /**
     * Bytes of fp32 partials the split path may need: it splits only grids below 8 x
     * multiprocessors blocks of at most 128 x 128, into at most {@link #MAX_SPLITS} parts.
     */
    public long workspaceBytes() {
        return (long) MAX_SPLITS * 8 * multiprocessors * 128 * 128 * 4 / 8;
    }
}
