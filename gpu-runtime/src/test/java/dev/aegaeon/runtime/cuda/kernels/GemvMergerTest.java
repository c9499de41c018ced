package dev.aegaeon.runtime.cuda.kernels;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;
import org.junit.jupiter.api.Test;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Which recorded GEMV launches merge into one group launch, and with which arguments (no GPU needed). */
class GemvMergerTest {
    private final CUfunction gemv1 = new CUfunction(), gemv4 = new CUfunction(), other = new CUfunction();
    private final CUfunction group1 = new CUfunction(), group4 = new CUfunction();
    private final CUfunction gemv4r8 = new CUfunction(), group4r8 = new CUfunction();
    /** The 3..8-row kernels' rows of W per block in the variant under test (gemv_m4: 2; gemv_r8_m4: 8). */
    private int blockRows = 2;
    private final CUstream stream = new CUstream();
    private final CUdeviceptr base = new CUdeviceptr();
    private final GemvMerger merger;

    GemvMergerTest() {
        Map<CUfunction, Integer> rows = new IdentityHashMap<>();
        rows.put(gemv1, 1);
        rows.put(gemv4, 4);
        rows.put(gemv4r8, 4);
        merger = new GemvMerger(rows, new GemvMerger.Variant() {
            @Override
            public CUfunction single(int m) { return m == 1 ? gemv1 : m == 4 ? (blockRows == 8 ? gemv4r8 : gemv4) : null; }

            @Override
            public CUfunction group(int m) { return m == 1 ? group1 : m == 4 ? (blockRows == 8 ? group4r8 : group4) : null; }

            @Override
            public int rowsPerBlock(int m) { return m <= 2 ? 8 : blockRows; }
        });
    }

    private CUdeviceptr at(long offset) { return base.withByteOffset(offset); }

    private StepGraphs.Launch gemv(CUfunction f, long x, long w, long out, int n, int k) {
        return new StepGraphs.Launch(f, (n + 7) / 8, 1, 1, 256, 0, stream,
                new Object[] {at(x), at(w), CudaOps.NONE, at(out), 1, n, k});
    }

    @Test
    void qkvOfOneInputBecomeOneLaunchWithTheSegmentsInOrder() {
        var q = gemv(gemv1, 0, 1000, 2000, 3584, 3584);
        var k = gemv(gemv1, 0, 3000, 4000, 512, 3584);
        var v = gemv(gemv1, 0, 5000, 6000, 512, 3584);
        List<StepGraphs.Launch> out = merger.merge(List.of(q, k, v));
        assertEquals(1, out.size());
        StepGraphs.Launch g = out.getFirst();
        assertSame(group1, g.fn());
        assertEquals(3584 / 8 + 512 / 8 + 512 / 8, g.gx(), "warp-per-row kernels serve 8 rows a block");
        assertArrayEquals(new Object[] {q.args()[0], 1, 3584, q.args()[1], CudaOps.NONE, q.args()[3], 3584,
                k.args()[1], CudaOps.NONE, k.args()[3], 512, v.args()[1], CudaOps.NONE, v.args()[3], 512}, g.args());
    }

    @Test
    void gateAndUpLeaveTheThirdSegmentEmptyAndBlockKernelsServeTwoRows() {
        var gate = gemv(gemv4, 0, 1000, 2000, 18944, 3584);
        var up = gemv(gemv4, 0, 3000, 4000, 18945, 3584);
        StepGraphs.Launch g = merger.merge(List.of(gate, up)).getFirst();
        assertSame(group4, g.fn());
        assertEquals(18944 / 2 + (18945 + 1) / 2, g.gx());
        assertEquals(0, g.args()[14]);
        assertSame(CudaOps.NONE, g.args()[11]);
    }

    @Test
    void eightRowsPerBlockCountEachSegmentsBlocksAsThatKernelLaysThemOut() {
        blockRows = 8;
        var gate = gemv(gemv4r8, 0, 1000, 2000, 18944, 3584);
        var up = gemv(gemv4r8, 0, 3000, 4000, 18945, 3584);
        StepGraphs.Launch g = merger.merge(List.of(gate, up)).getFirst();
        assertSame(group4r8, g.fn());
        assertEquals(18944 / 8 + (18945 + 7) / 8, g.gx());
    }

    @Test
    void launchesOfAVariantNoLongerInUseAreNotMerged() {
        // Recorded with 2 rows per block, flushed after a switch to 8: the group kernel of the
        // current variant would lay the blocks out differently, so they stay as they are.
        var gate = gemv(gemv4, 0, 1000, 2000, 18944, 3584);
        var up = gemv(gemv4, 0, 3000, 4000, 18945, 3584);
        blockRows = 8;
        assertEquals(List.of(gate, up), merger.merge(List.of(gate, up)));
    }

    @Test
    void dependentOrDifferentProductsStaySeparate() {
        var a = gemv(gemv1, 0, 1000, 2000, 64, 64);
        var otherInput = gemv(gemv1, 2000, 3000, 4000, 64, 64);      // reads a's output
        var writesInput = gemv(gemv1, 0, 3000, 0, 64, 64);           // overwrites x
        var sameOutput = gemv(gemv1, 0, 3000, 2000, 64, 64);         // same output as a
        var otherK = gemv(gemv1, 0, 3000, 4000, 64, 32);
        var otherRows = gemv(gemv4, 0, 3000, 4000, 64, 64);
        for (var b : List.of(otherInput, writesInput, sameOutput, otherK, otherRows)) {
            assertEquals(List.of(a, b), merger.merge(List.of(a, b)));
        }
        var between = new StepGraphs.Launch(other, 1, 1, 1, 32, 0, stream, new Object[] {at(0)});
        var c = gemv(gemv1, 0, 3000, 4000, 64, 64);
        assertEquals(List.of(a, between, c), merger.merge(List.of(a, between, c)));
    }

    @Test
    void aRunOfFourMergesThreeThenLeavesOne() {
        var a = gemv(gemv1, 0, 1000, 10000, 8, 64);
        var b = gemv(gemv1, 0, 2000, 20000, 8, 64);
        var c = gemv(gemv1, 0, 3000, 30000, 8, 64);
        var d = gemv(gemv1, 0, 4000, 40000, 8, 64);
        List<StepGraphs.Launch> out = merger.merge(List.of(a, b, c, d));
        assertEquals(2, out.size());
        assertSame(group1, out.get(0).fn());
        assertSame(d, out.get(1));
    }
}
