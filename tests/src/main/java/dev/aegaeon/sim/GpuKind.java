package dev.aegaeon.sim;

/**
 * GPUs the vLLM profiles cover. Memory is what one GPU offers to weights and KV (90% of its HBM,
 * as vLLM's default gpu_memory_utilization). Host-to-device bandwidth is our measured pinned
 * copy on the lent H100 (54.8 GB/s, PCIe Gen5), used for all three since they share PCIe Gen5.
 */
public enum GpuKind {
    H100(80), H800(80), H20(96);

    public static final double PINNED_H2D_BYTES_PER_SECOND = 54.8e9;

    public final long memoryBytes;

    GpuKind(int gib) {
        this.memoryBytes = (long) (gib * 1e9 * 0.9);
    }

    public static GpuKind parse(String s) {
        try {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown GPU kind '" + s + "' (known: H100, H800, H20)");
        }
    }
}
