package dev.aegaeon.runtime.backend.cpu;

import java.lang.foreign.MemorySegment;
import java.util.logging.Logger;

/**
 * The inner loops of the CPU ops (fp32 accumulation). Two implementations compute the same
 * function: {@link VectorKernels} (the Vector API, the fast path) and {@link ScalarKernels} (plain
 * loops), so the CPU backend runs on any JVM, including one started without
 * {@code --add-modules jdk.incubator.vector} (e.g. {@code java -jar quarkus-run.jar}).
 *
 * <p>Invariant: {@link #pairSplit} lays x out in whatever order {@link #dotBf16Pairs} and
 * {@link #dot4Bf16Pairs} of the SAME implementation expect; callers never mix implementations.
 */
interface CpuKernels {

    String VECTOR_MODULE = "jdk.incubator.vector";

    /** The Vector API kernels where the module is in the boot layer, else the scalar ones. */
    static CpuKernels best() {
        return Holder.BEST;
    }

    /** Prepares {@code x[xo..xo+n)} for the bf16 pair kernels into {@code dst[dO..dO+n)}. */
    void pairSplit(float[] x, int xo, int n, float[] dst, int dO);

    /** Dot product of the bf16 row at {@code rowByteOffset} with prepared {@code xp[xo..xo+n)}. */
    float dotBf16Pairs(MemorySegment w, long rowByteOffset, float[] xp, int xo, int n);

    /** Four prepared token rows against one bf16 weight row; results in {@code result[0..3]}. */
    void dot4Bf16Pairs(MemorySegment w, long rowByteOffset, float[] xp, int x0, int x1, int x2, int x3, int n, float[] result);

    /** Dot product of {@code a[ao..ao+n)} and {@code b[bo..bo+n)}. */
    float dot(float[] a, int ao, float[] b, int bo, int n);

    /** Four x rows against one fp32 weight row; results in {@code result[0..3]}. */
    void dot4(float[] w, int wo, float[] x, int x0, int x1, int x2, int x3, int n, float[] result);

    /** {@code y[yo..] += alpha * a[ao..]} over n elements. */
    void axpy(float alpha, float[] a, int ao, float[] y, int yo, int n);

    /** Widens row {@code row} of a {@code [rows x cols]} weight into {@code dst[0..cols)}. */
    void widenRow(CpuWeight w, int row, float[] dst);

    final class Holder {
        private Holder() {}

        static final CpuKernels BEST = choose();

        private static CpuKernels choose() {
            if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) return new VectorKernels();
            Logger.getLogger(CpuKernels.class.getName()).warning("CPU backend: the JVM lacks --add-modules "
                    + VECTOR_MODULE + ", so it runs scalar loops (correct, several times slower)");
            return new ScalarKernels();
        }
    }
}
