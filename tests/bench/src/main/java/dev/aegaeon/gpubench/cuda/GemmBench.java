package dev.aegaeon.gpubench.cuda;

import dev.aegaeon.runtime.cuda.CudaAvailability;
import dev.aegaeon.runtime.cuda.CudaDevice;
import dev.aegaeon.runtime.cuda.config.CudaConfig;
import dev.aegaeon.runtime.cuda.kernels.CudaOps;
import dev.aegaeon.runtime.cuda.memory.DeviceArena;
import dev.aegaeon.runtime.cuda.memory.DeviceRegion;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;

import java.util.Locale;

import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

/**
 * TFLOP/s of every large-tile (prefill) GEMM kernel on the Qwen2.5-7B products at 1,024 and 2,048
 * rows, timed with device events, and each kernel's output against the default kernel's on the
 * same inputs (max |difference| / max |reference|; both accumulate in fp32, so anything above
 * ~1e-4 is a wrong kernel, not rounding). Prints one line per kernel and shape.
 *
 * <p>Run through {@code BenchCli gemm [--reference TILE]}.
 */
public final class GemmBench {
    /** M, N, K: q/o (3584), k/v (512), gate/up (18944), down (K = 18944). */
    private static final int[][] SHAPES = {
        {1024, 3584, 3584}, {1024, 512, 3584}, {1024, 18944, 3584}, {1024, 3584, 18944}, {2048, 18944, 3584}};
    private static final int REPS = 10;

    /** Times every tile against {@code referenceTile} (null: the default large tile); 1 when no CUDA device is usable. */
    public static int run(String referenceTile) {
        CudaAvailability a = CudaAvailability.probe();
        if (!a.available()) {
            System.err.println(a.reason());
            return 1;
        }
        try (CudaDevice dev = CudaDevice.open(0, CudaConfig.oneAllocation(0.5))) {
            CudaOps ops = dev.ops();
            String reference = referenceTile != null ? referenceTile : ops.tiles().largeName();
            long maxXk = 0, maxWk = 0, maxOut = 0;
            for (int[] s : SHAPES) {
                maxXk = Math.max(maxXk, (long) s[0] * s[2]);
                maxWk = Math.max(maxWk, (long) s[1] * s[2]);
                maxOut = Math.max(maxOut, (long) s[0] * s[1]);
            }
            DeviceArena arena = dev.arena();
            DeviceRegion x = arena.allocateOrThrow(2 * maxXk, "gemm bench x"), w = arena.allocateOrThrow(2 * maxWk, "gemm bench w"),
                    y = arena.allocateOrThrow(4 * maxOut, "gemm bench y"),
                    ws = arena.allocateOrThrow(ops.matmulWorkspaceBytes(), "gemm bench split-K");
            ops.fillUniform(dev.computeStream(), x.ptr(), maxXk, 5, 1f, 0f);
            ops.fillUniform(dev.computeStream(), w.ptr(), maxWk, 7, 0.05f, 0f);
            CUevent start = CudaDevice.newTimingEvent(), end = CudaDevice.newTimingEvent();
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                ops.tiles().useLarge(reference);
                float[] ref = run(dev, x.ptr(), w.ptr(), y.ptr(), ws.ptr(), m, n, k);
                double refMax = 0;
                for (float v : ref) refMax = Math.max(refMax, Math.abs(v));
                for (String tile : ops.tiles().largeNames()) {
                    ops.tiles().useLarge(tile);
                    float[] got = run(dev, x.ptr(), w.ptr(), y.ptr(), ws.ptr(), m, n, k);
                    double diff = 0;
                    for (int i = 0; i < got.length; i++) {
                        double d = Math.abs(got[i] - ref[i]);
                        diff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(diff, d);
                    }
                    cuEventRecord(start, dev.computeStream());
                    for (int i = 0; i < REPS; i++) matmul(dev, x.ptr(), w.ptr(), y.ptr(), ws.ptr(), m, n, k);
                    cuEventRecord(end, dev.computeStream());
                    cuEventSynchronize(end);
                    float[] ms = new float[1];
                    cuEventElapsedTime(ms, start, end);
                    double tflops = 2.0 * m * n * k * REPS / (ms[0] / 1e3) / 1e12;
                    double rel = diff / Math.max(refMax, 1e-30);
                    System.out.println(String.format(Locale.ROOT, "gemm %-22s %5d x %5d x %5d: %6.1f TFLOP/s  %.3f ms  rel.diff vs %s %.1e%s",
                            tile, m, n, k, tflops, ms[0] / REPS, reference, rel, rel > 1e-4 ? "  MISMATCH" : ""));
                }
            }
            ops.tiles().useLarge(reference);
            for (DeviceRegion r : new DeviceRegion[] {x, w, y, ws}) arena.free(r);
        }
        return 0;
    }

    private static void matmul(CudaDevice dev, CUdeviceptr x, CUdeviceptr w, CUdeviceptr y, CUdeviceptr ws, int m, int n, int k) {
        dev.ops().matmul(dev.computeStream(), null, x, w, CudaOps.NONE, y, true, m, n, k, ws);
    }

    /** One product after a warm-up launch, into an output poisoned with NaN; copied back. */
    private static float[] run(CudaDevice dev, CUdeviceptr x, CUdeviceptr w, CUdeviceptr y, CUdeviceptr ws, int m, int n, int k) {
        matmul(dev, x, w, y, ws, m, n, k);
        cuMemsetD32Async(y, Float.floatToRawIntBits(Float.NaN), (long) m * n, dev.computeStream());
        matmul(dev, x, w, y, ws, m, n, k);
        dev.synchronize();
        float[] out = new float[m * n];
        cuMemcpyDtoH(Pointer.to(out), y, 4L * m * n);
        return out;
    }
}
