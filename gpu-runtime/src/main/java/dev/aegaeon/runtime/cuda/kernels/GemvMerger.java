package dev.aegaeon.runtime.cuda.kernels;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rewrites a recorded step: runs of up to three consecutive GEMV launches (gemv.cu's
 * {@code gemv_mM}, arguments x, W, bias, out, outF32, N, K) that read the same x with the same
 * rows, K and output type, and whose outputs alias neither x nor each other, become one
 * {@code gemv_group_mM} launch (arguments x, outF32, K, then W, bias, out, N for three segments,
 * unused ones empty). They are independent products and the group kernel runs the same per-row
 * code, so the result is bit-identical with fewer launches and one grid shared by small products.
 */
final class GemvMerger {
    /** The GEMV variant in use: per batch rows M, its single and group kernels and rows of W per block. */
    interface Variant {
        CUfunction single(int m);

        CUfunction group(int m);

        int rowsPerBlock(int m);
    }

    private final Map<CUfunction, Integer> gemvRows;
    private final Variant kernels;

    /**
     * @param gemvRows batch rows M of each single-product GEMV kernel
     * @param kernels the current variant's group kernel and rows per block by M
     */
    GemvMerger(Map<CUfunction, Integer> gemvRows, Variant kernels) {
        this.gemvRows = gemvRows;
        this.kernels = kernels;
    }

    List<StepGraphs.Launch> merge(List<StepGraphs.Launch> in) {
        List<StepGraphs.Launch> out = new ArrayList<>(in.size());
        for (int i = 0; i < in.size(); ) {
            StepGraphs.Launch first = in.get(i);
            Integer m = gemvRows.get(first.fn());
            int j = i + 1;
            if (m != null && first.fn() == kernels.single(m)) {  // only the current variant has its group kernel
                while (j < in.size() && j - i < 3 && mergeable(first, in.get(j), in.subList(i, j))) j++;
            }
            if (j - i < 2) {
                out.add(first);
                i++;
                continue;
            }
            int rowsPerBlock = kernels.rowsPerBlock(m), blocks = 0;
            Object[] args = new Object[3 + 4 * 3];
            args[0] = first.args()[0];
            args[1] = first.args()[4];
            args[2] = first.args()[6];
            for (int g = 0; g < 3; g++) {
                StepGraphs.Launch l = i + g < j ? in.get(i + g) : null;
                int n = l == null ? 0 : (Integer) l.args()[5];
                args[3 + 4 * g] = l == null ? CudaOps.NONE : l.args()[1];
                args[4 + 4 * g] = l == null ? CudaOps.NONE : l.args()[2];
                args[5 + 4 * g] = l == null ? CudaOps.NONE : l.args()[3];
                args[6 + 4 * g] = n;
                blocks += (n + rowsPerBlock - 1) / rowsPerBlock;
            }
            out.add(new StepGraphs.Launch(kernels.group(m), blocks, 1, 1, 256, 0, first.stream(), args));
            i = j;
        }
        return out;
    }

    private static boolean mergeable(StepGraphs.Launch first, StepGraphs.Launch next, List<StepGraphs.Launch> run) {
        if (next.fn() != first.fn() || next.stream() != first.stream()) return false;
        Object[] a = first.args(), b = next.args();
        long x = StepGraphs.address((CUdeviceptr) a[0]);
        if (x != StepGraphs.address((CUdeviceptr) b[0]) || !a[4].equals(b[4]) || !a[6].equals(b[6])) return false;
        long o = StepGraphs.address((CUdeviceptr) b[3]);
        if (o == x) return false;
        for (StepGraphs.Launch l : run) if (StepGraphs.address((CUdeviceptr) l.args()[3]) == o) return false;
        return true;
    }
}
