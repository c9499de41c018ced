package dev.aegaeon.runtime.cuda.kernels;

import jcuda.driver.CUfunction;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * gemv.cu's kernels for batches of 1..{@link CudaOps#GEMV_MAX_ROWS} rows, and which variant each
 * batch size uses now. Invariant: {@link #single(int)}, {@link #group(int)} and
 * {@link #rowsPerBlock(int)} always describe one variant, so a single launch's grid and the
 * merged group's block count agree with the kernel that runs. Switching a variant changes only
 * launches issued after it (recorded step graphs keep the kernels they were recorded with).
 */
final class GemvKernels implements GemvMerger.Variant {
    /** Rows of W per 256-thread block that the block kernels (3..8 batch rows) can use. */
    static final List<Integer> BLOCK_ROWS = List.of(2, 4, 8);

    private final KernelModules k;
    private final CUfunction[] single = new CUfunction[CudaOps.GEMV_MAX_ROWS + 1];
    private final CUfunction[] group = new CUfunction[CudaOps.GEMV_MAX_ROWS + 1];
    private final int[] rowsPerBlock = new int[CudaOps.GEMV_MAX_ROWS + 1];
    /** Batch rows M of every single-launch GEMV kernel of every variant (what the merger may group). */
    private final Map<CUfunction, Integer> batchRows = new IdentityHashMap<>();
    private final CUfunction wideSingle, wideGroup, narrowSingle, narrowGroup;
    private final GemvMerger merger;

    GemvKernels(KernelModules k, boolean wide, int blockRows) {
        this.k = k;
        for (int m = 1; m <= CudaOps.GEMV_MAX_ROWS; m++) {
            single[m] = k.function("gemv_m" + m);
            group[m] = k.function("gemv_group_m" + m);
            rowsPerBlock[m] = m <= 2 ? 8 : 2;  // as instantiated in gemv.cu
            batchRows.put(single[m], m);
        }
        for (int r : BLOCK_ROWS) {
            if (r == 2) continue;
            for (int m = 3; m <= CudaOps.GEMV_MAX_ROWS; m++) batchRows.put(k.function("gemv_r" + r + "_m" + m), m);
        }
        narrowSingle = single[1];
        narrowGroup = group[1];
        wideSingle = k.function("gemv_wide_m1");
        wideGroup = k.function("gemv_wide_group_m1");
        batchRows.put(wideSingle, 1);
        merger = new GemvMerger(batchRows, this);
        setWide(wide);
        setBlockRows(blockRows);
    }

    /** The single-product kernel for {@code m} batch rows. */
    @Override
    public CUfunction single(int m) { return single[m]; }

    /** The up-to-three-products kernel for {@code m} batch rows (same per-row code as {@link #single}). */
    @Override
    public CUfunction group(int m) { return group[m]; }

    /** Rows of W one block of {@link #single}({@code m}) and {@link #group}({@code m}) computes. */
    @Override
    public int rowsPerBlock(int m) { return rowsPerBlock[m]; }

    /** Blocks that cover {@code n} rows of W for a batch of {@code m}. */
    int grid(int m, int n) { return (n + rowsPerBlock[m] - 1) / rowsPerBlock[m]; }

    GemvMerger merger() { return merger; }

    /** Batch-1 products on gemv_wide (more loads in flight) instead of gemv_m1; same rows per block. */
    void setWide(boolean on) {
        single[1] = on ? wideSingle : narrowSingle;
        group[1] = on ? wideGroup : narrowGroup;
    }

    boolean wide() { return single[1] == wideSingle; }

    /** Batches of 3..8 rows on the block kernels over {@code rows} rows of W per block (2, 4 or 8). */
    void setBlockRows(int rows) {
        if (!BLOCK_ROWS.contains(rows)) throw new IllegalArgumentException("GEMV block rows must be one of " + BLOCK_ROWS + ", got " + rows);
        for (int m = 3; m <= CudaOps.GEMV_MAX_ROWS; m++) {
            single[m] = k.function(rows == 2 ? "gemv_m" + m : "gemv_r" + rows + "_m" + m);
            group[m] = k.function(rows == 2 ? "gemv_group_m" + m : "gemv_group_r" + rows + "_m" + m);
            rowsPerBlock[m] = rows;
        }
    }

    /** Rows of W per block of the 3..8-row kernels in use. */
    int blockRows() { return rowsPerBlock[3]; }
}
