package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.kernels.KernelModules;
import jcuda.driver.JCudaDriver;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuInit;

/**
 * Whether this process can use the CUDA backend, and if not, why, in one line. Loading JCuda on a
 * machine without a driver throws UnsatisfiedLinkError (then NoClassDefFoundError on the next
 * touch), so every failure is caught here once and turned into a reason; callers fall back to
 * the CPU backend and print {@link #reason()}.
 */
public record CudaAvailability(boolean available, int deviceCount, String reason) {

    private static volatile CudaAvailability cached;

    /** Probes once per process (driver, a device, kernels built into this jar). */
    public static CudaAvailability probe() {
        CudaAvailability c = cached;
        if (c == null) cached = c = doProbe();
        return c;
    }

    private static CudaAvailability doProbe() {
        if (KernelModules.listResource() == null) {
            return unavailable("kernels were not built (nvcc was absent when this jar was built)");
        }
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] count = new int[1];
            cuDeviceGetCount(count);
            if (count[0] == 0) return unavailable("the driver reports no GPU");
            return new CudaAvailability(true, count[0], "CUDA available: " + count[0] + " GPU(s)");
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, CudaException
            return unavailable(oneLine(t));
        }
    }

    private static CudaAvailability unavailable(String why) {
        return new CudaAvailability(false, 0, "CUDA unavailable: " + why);
    }

    static String oneLine(Throwable t) {
        String m = t.getMessage();
        String s = t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
