package dev.aegaeon.runtime.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** SIMD building blocks (fp32 accumulation) shared by the CPU ops: the fast path when the JVM has the Vector API. */
final class VectorKernels implements CpuKernels {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Half the float width in bits: one short lane per float lane. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final int L = F.length();

    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** L bf16 values at {@code byteOffset}, widened: bf16 is the top half of a float, so a 16-bit shift. */
    static FloatVector loadBf16(MemorySegment seg, long byteOffset) {
        ShortVector s = ShortVector.fromMemorySegment(S, seg, byteOffset, ByteOrder.LITTLE_ENDIAN);
        IntVector widened = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
        return widened.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    static float bf16At(MemorySegment seg, long byteOffset) {
        return Float.intBitsToFloat((seg.get(SHORT_LE, byteOffset) & 0xffff) << 16);
    }

    /** Dot product of the bf16 row at {@code rowByteOffset} with {@code x[xo .. xo+n)}. */
    static float dotBf16(MemorySegment w, long rowByteOffset, float[] x, int xo, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int k = 0;
        for (int bound = n - 4 * L; k <= bound; k += 4 * L) {
            long o = rowByteOffset + 2L * k;
            acc0 = loadBf16(w, o).fma(FloatVector.fromArray(F, x, xo + k), acc0);
            acc1 = loadBf16(w, o + 2L * L).fma(FloatVector.fromArray(F, x, xo + k + L), acc1);
            acc2 = loadBf16(w, o + 4L * L).fma(FloatVector.fromArray(F, x, xo + k + 2 * L), acc2);
            acc3 = loadBf16(w, o + 6L * L).fma(FloatVector.fromArray(F, x, xo + k + 3 * L), acc3);
        }
        for (int bound = n - L; k <= bound; k += L) {
            acc0 = loadBf16(w, rowByteOffset + 2L * k).fma(FloatVector.fromArray(F, x, xo + k), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) sum += bf16At(w, rowByteOffset + 2L * k) * x[xo + k];
        return sum;
    }

    /**
     * bf16 weights are read as int lanes holding two values each: the low half (even element) widens
     * with a shift, the high half (odd element) with a mask. So x is stored pair-split once per call:
     * in each block of {@link #PAIR_BLOCK} values, even elements first, then odd ones.
     */
    static final int PAIR_BLOCK = 2 * I.length();

    /** {@code dst[0..n)} = {@code x[xo..xo+n)} pair-split per block (the tail, shorter than a block, as is). */
    @Override
    public void pairSplit(float[] x, int xo, int n, float[] dst, int dO) {
        int li = I.length(), k = 0;
        for (; k + PAIR_BLOCK <= n; k += PAIR_BLOCK) {
            for (int i = 0; i < li; i++) {
                dst[dO + k + i] = x[xo + k + 2 * i];
                dst[dO + k + li + i] = x[xo + k + 2 * i + 1];
            }
        }
        System.arraycopy(x, xo + k, dst, dO + k, n - k);
    }

    private static final int HIGH_HALF = 0xffff0000;

    /** Dot product of the bf16 row at {@code rowByteOffset} with pair-split {@code xp[xo .. xo+n)}. */
    @Override
    public float dotBf16Pairs(MemorySegment w, long rowByteOffset, float[] xp, int xo, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
        int k = 0;
        for (; k + 2 * PAIR_BLOCK <= n; k += 2 * PAIR_BLOCK) {
            IntVector a = IntVector.fromMemorySegment(I, w, rowByteOffset + 2L * k, ByteOrder.LITTLE_ENDIAN);
            IntVector b = IntVector.fromMemorySegment(I, w, rowByteOffset + 2L * (k + PAIR_BLOCK), ByteOrder.LITTLE_ENDIAN);
            acc0 = a.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, xo + k), acc0);
            acc1 = a.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, xo + k + L), acc1);
            acc2 = b.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, xo + k + 2 * L), acc2);
            acc3 = b.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, xo + k + 3 * L), acc3);
        }
        for (; k + PAIR_BLOCK <= n; k += PAIR_BLOCK) {
            IntVector a = IntVector.fromMemorySegment(I, w, rowByteOffset + 2L * k, ByteOrder.LITTLE_ENDIAN);
            acc0 = a.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, xo + k), acc0);
            acc1 = a.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats().fma(FloatVector.fromArray(F, xp, xo + k + L), acc1);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) sum += bf16At(w, rowByteOffset + 2L * k) * xp[xo + k];
        return sum;
    }

    /** Four tokens against one bf16 row: each weight vector is loaded and widened once for all four. */
    @Override
    public void dot4Bf16Pairs(MemorySegment w, long rowByteOffset, float[] xp, int x0, int x1, int x2, int x3, int n, float[] result) {
        // even and odd halves accumulate separately: eight independent FMA chains
        FloatVector e0 = FloatVector.zero(F), e1 = FloatVector.zero(F), e2 = FloatVector.zero(F), e3 = FloatVector.zero(F);
        FloatVector o0 = FloatVector.zero(F), o1 = FloatVector.zero(F), o2 = FloatVector.zero(F), o3 = FloatVector.zero(F);
        int k = 0;
        for (; k + PAIR_BLOCK <= n; k += PAIR_BLOCK) {
            IntVector raw = IntVector.fromMemorySegment(I, w, rowByteOffset + 2L * k, ByteOrder.LITTLE_ENDIAN);
            FloatVector even = raw.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector odd = raw.lanewise(VectorOperators.AND, HIGH_HALF).reinterpretAsFloats();
            e0 = even.fma(FloatVector.fromArray(F, xp, x0 + k), e0);
            o0 = odd.fma(FloatVector.fromArray(F, xp, x0 + k + L), o0);
            e1 = even.fma(FloatVector.fromArray(F, xp, x1 + k), e1);
            o1 = odd.fma(FloatVector.fromArray(F, xp, x1 + k + L), o1);
            e2 = even.fma(FloatVector.fromArray(F, xp, x2 + k), e2);
            o2 = odd.fma(FloatVector.fromArray(F, xp, x2 + k + L), o2);
            e3 = even.fma(FloatVector.fromArray(F, xp, x3 + k), e3);
            o3 = odd.fma(FloatVector.fromArray(F, xp, x3 + k + L), o3);
        }
        float s0 = e0.add(o0).reduceLanes(VectorOperators.ADD), s1 = e1.add(o1).reduceLanes(VectorOperators.ADD);
        float s2 = e2.add(o2).reduceLanes(VectorOperators.ADD), s3 = e3.add(o3).reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) {
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

    /** Dot product of {@code a[ao .. ao+n)} and {@code b[bo .. bo+n)}. */
    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int k = 0;
        for (int bound = n - 2 * L; k <= bound; k += 2 * L) {
            acc0 = FloatVector.fromArray(F, a, ao + k).fma(FloatVector.fromArray(F, b, bo + k), acc0);
            acc1 = FloatVector.fromArray(F, a, ao + k + L).fma(FloatVector.fromArray(F, b, bo + k + L), acc1);
        }
        for (int bound = n - L; k <= bound; k += L) {
            acc0 = FloatVector.fromArray(F, a, ao + k).fma(FloatVector.fromArray(F, b, bo + k), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) sum += a[ao + k] * b[bo + k];
        return sum;
    }

    /**
     * Four dot products of one weight row {@code w[wo .. wo+n)} with four x rows at once, so the
     * weight row is loaded once per four tokens. Results go to {@code result[0..3]}.
     */
    @Override
    public void dot4(float[] w, int wo, float[] x, int x0, int x1, int x2, int x3, int n, float[] result) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int k = 0;
        for (int bound = n - L; k <= bound; k += L) {
            FloatVector wv = FloatVector.fromArray(F, w, wo + k);
            a0 = wv.fma(FloatVector.fromArray(F, x, x0 + k), a0);
            a1 = wv.fma(FloatVector.fromArray(F, x, x1 + k), a1);
            a2 = wv.fma(FloatVector.fromArray(F, x, x2 + k), a2);
            a3 = wv.fma(FloatVector.fromArray(F, x, x3 + k), a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; k < n; k++) {
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

    /** {@code y[yo ..] += alpha * a[ao ..]} over n elements. */
    @Override
    public void axpy(float alpha, float[] a, int ao, float[] y, int yo, int n) {
        FloatVector av = FloatVector.broadcast(F, alpha);
        int k = 0;
        for (int bound = n - L; k <= bound; k += L) {
            FloatVector.fromArray(F, a, ao + k).fma(av, FloatVector.fromArray(F, y, yo + k)).intoArray(y, yo + k);
        }
        for (; k < n; k++) y[yo + k] += alpha * a[ao + k];
    }

    /** Widens row {@code row} of a {@code [rows x cols]} weight into {@code dst[0 .. cols)}. */
    @Override
    public void widenRow(CpuWeight w, int row, float[] dst) {
        int cols = w.cols();
        MemorySegment seg = w.data();
        switch (w.dtype()) {
            case BF16 -> {
                long base = 2L * row * cols;
                int k = 0;
                for (int bound = cols - L; k <= bound; k += L) loadBf16(seg, base + 2L * k).intoArray(dst, k);
                for (; k < cols; k++) dst[k] = bf16At(seg, base + 2L * k);
            }
            case F16 -> {
                long base = 2L * row * cols;
                for (int k = 0; k < cols; k++) dst[k] = Float.float16ToFloat(seg.get(SHORT_LE, base + 2L * k));
            }
            case F32 -> MemorySegment.copy(seg, FLOAT_LE, 4L * row * cols, dst, 0, cols);
        }
    }
}
