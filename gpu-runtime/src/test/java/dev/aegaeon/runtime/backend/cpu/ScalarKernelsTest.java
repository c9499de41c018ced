package dev.aegaeon.runtime.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.aegaeon.runtime.weights.DType;

/** The scalar fallback computes what the Vector API kernels compute, for lengths off every vector boundary. */
class ScalarKernelsTest {

    private final CpuKernels vector = new VectorKernels();
    private final CpuKernels scalar = new ScalarKernels();

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 64, 100, 257})
    void bf16AndFp32DotsAgree(int n) {
        var rnd = new SplittableRandom(n);
        float[] x = random(rnd, 4 * n), w = random(rnd, n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment row = arena.allocate(2L * n);
            for (int k = 0; k < n; k++) row.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2L * k, DType.floatToBf16(w[k]));
            float[] xv = new float[4 * n], xs = new float[4 * n];
            for (int t = 0; t < 4; t++) {
                vector.pairSplit(x, t * n, n, xv, t * n);
                scalar.pairSplit(x, t * n, n, xs, t * n);
            }
            assertClose(vector.dotBf16Pairs(row, 0, xv, 0, n), scalar.dotBf16Pairs(row, 0, xs, 0, n), n);
            float[] rv = new float[4], rs = new float[4];
            vector.dot4Bf16Pairs(row, 0, xv, 0, n, 2 * n, 3 * n, n, rv);
            scalar.dot4Bf16Pairs(row, 0, xs, 0, n, 2 * n, 3 * n, n, rs);
            for (int u = 0; u < 4; u++) assertClose(rv[u], rs[u], n);
        }
        assertClose(vector.dot(w, 0, x, n, n), scalar.dot(w, 0, x, n, n), n);
        float[] rv = new float[4], rs = new float[4];
        vector.dot4(w, 0, x, 0, n, 2 * n, 3 * n, n, rv);
        scalar.dot4(w, 0, x, 0, n, 2 * n, 3 * n, n, rs);
        for (int u = 0; u < 4; u++) assertClose(rv[u], rs[u], n);
        float[] yv = random(new SplittableRandom(7), n), ys = yv.clone();
        vector.axpy(0.37f, x, 1, yv, 0, n);
        scalar.axpy(0.37f, x, 1, ys, 0, n);
        for (int k = 0; k < n; k++) assertEquals(yv[k], ys[k], 1e-6f);
    }

    private static void assertClose(float expected, float actual, int n) {
        // different summation orders: bound by n ulps of the magnitude involved
        assertEquals(expected, actual, 1e-5f * Math.max(1f, Math.abs(expected)) * Math.max(1, n / 8));
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
        return a;
    }
}
