package dev.aegaeon.runtime.cuda.config;

/**
 * Sizing of a device at start.
 *
 * @param memoryShareOfFree share of the free VRAM at start that the device's weights, workspaces and
 *                          KV may take (0, 1): the arena's size, or on demand the budget of mapped memory
 * @param onDemandMemory    weights and KV mapped as they are used from that one budget, KV caches
 *                          growing block by block ({@link CudaOptions.DeviceMemory#ON_DEMAND})
 */
public record CudaConfig(double memoryShareOfFree, boolean onDemandMemory) {
    public CudaConfig {
        if (!(memoryShareOfFree > 0 && memoryShareOfFree < 1)) {
            throw new IllegalArgumentException("memory share must be in (0, 1), got " + memoryShareOfFree);
        }
    }

    /** A device whose arena is one allocation of {@code memoryShareOfFree} of the free memory. */
    public static CudaConfig oneAllocation(double memoryShareOfFree) { return new CudaConfig(memoryShareOfFree, false); }

    /**
     * Whether a device maps its memory on demand: asked for and possible there. A device without CUDA
     * virtual memory management (some virtualised or older setups) holds it as one allocation instead.
     */
    public boolean onDemandOn(boolean deviceSupportsVirtualMemory) { return onDemandMemory && deviceSupportsVirtualMemory; }

    /** 90% of the free memory, held as {@link CudaOptions#deviceMemory()} says. */
    public static CudaConfig defaults() {
        return new CudaConfig(0.90, CudaOptions.current().deviceMemory() == CudaOptions.DeviceMemory.ON_DEMAND);
    }
}
