package dev.aegaeon.runtime.cuda.arch;

/**
 * What one GPU allows a launch, read from its attributes at start (never assumed from an H100):
 * tile sizes, shared-memory opt-ins, residency and grid sizes derive from these.
 *
 * @param capability          compute capability
 * @param multiprocessors     streaming multiprocessors (H100 SXM 132, A100 108, L4 58)
 * @param sharedPerBlockOptin most dynamic + static shared memory one block may opt into, bytes
 *                            (H100 227 KiB, A100 163 KiB, L4 99 KiB)
 * @param sharedPerSm         shared memory of one multiprocessor, bytes (228 / 164 / 100 KiB)
 * @param threadsPerSm        most resident threads per multiprocessor (2048; 1536 on 8.6 and 8.9)
 */
public record DeviceLimits(ComputeCapability capability, int multiprocessors, int sharedPerBlockOptin, int sharedPerSm,
                           int threadsPerSm) {
    /** Shared memory the driver reserves per resident block on 8.0 and newer. */
    public static final int RESERVED_SHARED_PER_BLOCK = 1024;

    public DeviceLimits {
        if (multiprocessors <= 0 || sharedPerBlockOptin <= 0 || sharedPerSm < sharedPerBlockOptin || threadsPerSm <= 0) {
            throw new IllegalArgumentException("implausible device limits: " + multiprocessors + " SMs, " + sharedPerBlockOptin
                    + " B shared per block, " + sharedPerSm + " B per SM, " + threadsPerSm + " threads per SM");
        }
    }

    /** Whether a block may use {@code bytes} of dynamic shared memory (after opting in). */
    public boolean fitsShared(int bytes) { return bytes <= sharedPerBlockOptin; }

    /**
     * Blocks of {@code threads} threads and {@code dynamicShared} bytes that fit one multiprocessor at
     * once, at most {@code registerBound} (what the kernel's registers allow, from ptxas): at least 1.
     */
    public int residentBlocks(int registerBound, int threads, int dynamicShared) {
        int byThreads = threadsPerSm / threads;
        int byShared = dynamicShared == 0 ? Integer.MAX_VALUE : sharedPerSm / (dynamicShared + RESERVED_SHARED_PER_BLOCK);
        return Math.max(1, Math.min(registerBound, Math.min(byThreads, byShared)));
    }

    /** The shared memory a required kernel needs, or an IllegalStateException naming the kernel and this card's limit. */
    public int requireShared(String kernel, int bytes) {
        if (!fitsShared(bytes)) {
            throw new IllegalStateException(kernel + " needs " + bytes + " bytes of shared memory per block; this GPU (compute capability "
                    + capability + ") allows " + sharedPerBlockOptin);
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "compute capability " + capability + ", " + multiprocessors + " SMs, shared memory " + sharedPerBlockOptin / 1024
                + " KiB per block / " + sharedPerSm / 1024 + " KiB per SM";
    }
}
