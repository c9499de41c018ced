package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.weights.DType;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static jcuda.driver.JCudaDriver.*;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Buffers on a test device (regions of its arena, freed after each test) and comparison helpers. */
final class DeviceTestSupport implements AutoCloseable {
    static final short BF16_NAN = (short) 0x7FC0;
    static final int F32_NAN = 0x7FC00000;

    final CudaDevice dev;
    private final List<DeviceRegion> regions = new ArrayList<>();

    DeviceTestSupport(CudaDevice dev) { this.dev = dev; }

    CUdeviceptr alloc(long bytes) {
        DeviceRegion r = dev.arena().allocateOrThrow(Math.max(bytes, 4), "test buffer");
        regions.add(r);
        return r.ptr();
    }

    CUdeviceptr bf16(float[] a) {
        short[] s = new short[a.length];
        for (int i = 0; i < a.length; i++) s[i] = DType.floatToBf16(a[i]);
        CUdeviceptr p = alloc(2L * a.length);
        cuMemcpyHtoD(p, Pointer.to(s), 2L * a.length);
        return p;
    }

    CUdeviceptr f32(float[] a) {
        CUdeviceptr p = alloc(4L * a.length);
        cuMemcpyHtoD(p, Pointer.to(a), 4L * a.length);
        return p;
    }

    CUdeviceptr i32(int[] a) {
        CUdeviceptr p = alloc(4L * a.length);
        cuMemcpyHtoD(p, Pointer.to(a), 4L * a.length);
        return p;
    }

    CUdeviceptr i64(long[] a) {
        CUdeviceptr p = alloc(8L * a.length);
        cuMemcpyHtoD(p, Pointer.to(a), 8L * a.length);
        return p;
    }

    /** An output buffer filled with NaN so that any element the kernel fails to write is caught. */
    CUdeviceptr poisonedBf16(long n) {
        CUdeviceptr p = alloc(2 * n);
        cuMemsetD16(p, BF16_NAN, n);
        return p;
    }

    CUdeviceptr poisonedF32(long n) {
        CUdeviceptr p = alloc(4 * n);
        cuMemsetD32(p, F32_NAN, n);
        return p;
    }

    float[] readBf16(CUdeviceptr p, int n) {
        dev.synchronize();
        short[] s = new short[n];
        cuMemcpyDtoH(Pointer.to(s), p, 2L * n);
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = DType.bf16ToFloat(s[i]);
        return f;
    }

    float[] readF32(CUdeviceptr p, int n) {
        dev.synchronize();
        float[] f = new float[n];
        cuMemcpyDtoH(Pointer.to(f), p, 4L * n);
        return f;
    }

    int[] readI32(CUdeviceptr p, int n) {
        dev.synchronize();
        int[] v = new int[n];
        cuMemcpyDtoH(Pointer.to(v), p, 4L * n);
        return v;
    }

    @Override
    public void close() {
        dev.synchronize();
        for (DeviceRegion r : regions) dev.arena().free(r);
        regions.clear();
    }

    /** Random values already rounded to bf16, so both backends see identical inputs. */
    static float[] randomBf16(Random rnd, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = roundBf16((float) (rnd.nextGaussian() * scale));
        return a;
    }

    static float roundBf16(float v) { return DType.bf16ToFloat(DType.floatToBf16(v)); }

    /** ||out - ref|| / ||ref|| <= bound, and every element written (no NaN left from poisoning). */
    static void assertClose(String what, float[] ref, float[] out, double bound) {
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            if (Float.isNaN(out[i])) fail(what + ": element " + i + " not written (NaN)");
            double d = out[i] - ref[i];
            num += d * d;
            den += (double) ref[i] * ref[i];
        }
        double rel = Math.sqrt(num / Math.max(den, 1e-30));
        assertTrue(rel <= bound, what + ": relative error " + rel + " > " + bound);
    }
}
