package dev.aegaeon.runtime.cuda.arch;

import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;

import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;

/** Reads what the kernel choice and the launch sizes need from the driver (after cuInit). */
public final class DeviceQuery {
    private DeviceQuery() {}

    /** The CUDA version the installed driver supports, as cuDriverGetVersion reports it (13000 is 13.0). */
    public static int driverCudaVersion() {
        int[] v = new int[1];
        cuDriverGetVersion(v);
        return v[0];
    }

    public static String name(CUdevice device) {
        byte[] bytes = new byte[256];
        cuDeviceGetName(bytes, bytes.length, device);
        int len = 0;
        while (len < bytes.length && bytes[len] != 0) len++;
        return new String(bytes, 0, len);
    }

    public static ComputeCapability capability(CUdevice device) {
        return new ComputeCapability(attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR));
    }

    public static DeviceLimits limits(CUdevice device) {
        return new DeviceLimits(capability(device),
                attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
                attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
                attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR),
                attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR));
    }

    /** Whether the device and driver take CUDA virtual memory management (cuMemCreate / cuMemMap), which memory on demand needs. */
    public static boolean supportsVirtualMemory(CUdevice device) {
        return attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED) != 0;
    }

    /** "8.9 (driver CUDA 13.0)"-style text for a driver version. */
    public static String cudaVersion(int driverCudaVersion) {
        return KernelImageChoice.cudaVersion(driverCudaVersion);
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attribute, device);
        return v[0];
    }
}
