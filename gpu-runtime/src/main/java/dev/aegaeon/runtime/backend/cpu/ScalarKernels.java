package dev.aegaeon.runtime.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Plain-loop twins of {@link VectorKernels}: no pair split, x stays in natural order. */
final class ScalarKernels implements CpuKernels {

    private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static float bf16At(MemorySegment seg, long byteOffset) {
        return Float.intBitsToFloat((seg.get(SHORT_LE, byteOffset) & 0xffff) << 16);
    }

    @Override
    public void pairSplit(float[] x, int xo, int n, float[] dst, int dO) {
        System.arraycopy(x, xo, dst, dO, n);
    }

    @Override
    public float dotBf16Pairs(MemorySegment w, long rowByteOffset, float[] xp, int xo, int n) {
        float sum = 0f;
        for (int k = 0; k < n; k++) sum += bf16At(w, rowByteOffset + 2L * k) * xp[xo + k];
        return sum;
    }

    @Override
    public void dot4Bf16Pairs(MemorySegment w, long rowByteOffset, float[] xp, int x0, int x1, int x2, int x3, int n, float[] result) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        for (int k = 0; k < n; k++) {
            float wk = bf16At(w, rowByteOffset + 2L * k);
            s0 += wk * xp[x0 + k];
            s1 += wk * xp[x1 + k];
            s2 += wk * xp[x2 + k];
            s3 += wk * xp[x3 + k];
        }
        result[0] = s0;
        result[1] = s1;
        result[2] = s2;
        result[3] = s3;
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        float sum = 0f;
        for (int k = 0; k < n; k++) sum += a[ao + k] * b[bo + k];
        return sum;
    }

    @Override
    public void dot4(float[] w, int wo, float[] x, int x0, int x1, int x2, int x3, int n, float[] result) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        for (int k = 0; k < n; k++) {
            float wk = w[wo + k];
            s0 += wk * x[x0 + k];
            s1 += wk * x[x1 + k];
            s2 += wk * x[x2 + k];
            s3 += wk * x[x3 + k];
        }
        result[0] = s0;
        result[1] = s1;
        result[2] = s2;
        result[3] = s3;
    }

    @Override
    public void axpy(float alpha, float[] a, int ao, float[] y, int yo, int n) {
        for (int k = 0; k < n; k++) y[yo + k] += alpha * a[ao + k];
    }

    @Override
    public void widenRow(CpuWeight w, int row, float[] dst) {
        int cols = w.cols();
        MemorySegment seg = w.data();
        switch (w.dtype()) {
            case BF16 -> {
                long base = 2L * row * cols;
                for (int k = 0; k < cols; k++) dst[k] = bf16At(seg, base + 2L * k);
            }
            case F16 -> {
                long base = 2L * row * cols;
                for (int k = 0; k < cols; k++) dst[k] = Float.float16ToFloat(seg.get(SHORT_LE, base + 2L * k));
            }
            case F32 -> MemorySegment.copy(seg, FLOAT_LE, 4L * row * cols, dst, 0, cols);
        }
    }
}
