package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.arch.ComputeCapability;
import dev.aegaeon.runtime.cuda.arch.DeviceQuery;
import dev.aegaeon.runtime.cuda.arch.KernelImageChoice;
import dev.aegaeon.runtime.cuda.arch.KernelImageManifest;
import dev.aegaeon.runtime.cuda.config.CudaOptions;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuInit;

/**
 * Whether this process can use the CUDA backend, and if not, why, in one line. Loading JCuda on a
 * machine without a driver throws UnsatisfiedLinkError (then NoClassDefFoundError on the next
 * touch), so every failure is caught here once and turned into a reason; callers fall back to
 * the CPU backend and print {@link #reason()}. A GPU or driver the shipped kernel images cannot
 * serve (see {@link KernelImageChoice}) is refused here too, with one logged line naming the card,
 * the driver, what is needed and the CPU fallback.
 */
public record CudaAvailability(boolean available, int deviceCount, String reason) {
    private static final System.Logger LOG = System.getLogger(CudaAvailability.class.getName());
    private static volatile CudaAvailability cached;

    /**
     * Probes once per process (driver, a device, kernel images in this jar that every device can
     * load). Never throws, except the IllegalArgumentException of a malformed {@code aegaeon.cuda.*}
     * option on a machine with a GPU (read here for {@code kernelArch}).
     */
    public static CudaAvailability probe() {
        CudaAvailability c = cached;
        if (c == null) cached = c = doProbe();
        return c;
    }

    private static CudaAvailability doProbe() {
        KernelImageManifest manifest = KernelImageManifest.packaged();
        if (manifest == null) {
            return unavailable("this jar carries no kernel images (gpu-runtime/src/main/kernel-images, built by build-kernels.sh)");
        }
        int count, driver;
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] n = new int[1];
            cuDeviceGetCount(n);
            if (n[0] == 0) return unavailable("the driver reports no GPU");
            count = n[0];
            driver = DeviceQuery.driverCudaVersion();
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, CudaException
            return unavailable(oneLine(t));
        }
        // Outside the catch: a malformed aegaeon.cuda option stops the start naming its key, as every option does.
        CudaOptions.KernelArch mode = CudaOptions.current().kernelArch();
        try {
            for (int i = 0; i < count; i++) {
                CUdevice d = new CUdevice();
                cuDeviceGet(d, i);
                ComputeCapability cc = DeviceQuery.capability(d);
                if (KernelImageChoice.choose(cc, driver, manifest, mode) instanceof KernelImageChoice.Refuse r) {
                    CudaAvailability a = unavailable(refusal(i, DeviceQuery.name(d), cc, driver, r));
                    LOG.log(System.Logger.Level.WARNING, a.reason());
                    return a;
                }
            }
            return new CudaAvailability(true, count, "CUDA available: " + count + " GPU(s)");
        } catch (RuntimeException e) { // CudaException from an attribute query
            return unavailable(oneLine(e));
        }
    }

    /** The one line for a card the shipped images cannot serve. */
    static String refusal(int ordinal, String name, ComputeCapability cc, int driver, KernelImageChoice.Refuse r) {
        return "GPU " + ordinal + " " + name + " (compute capability " + cc + ", driver for CUDA " + DeviceQuery.cudaVersion(driver)
                + ") cannot run this jar's kernels: they need " + r.need() + "; the CPU backend serves instead";
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
