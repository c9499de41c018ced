package dev.aegaeon.runtime.cuda.config;

/**
 * Sizing of a device at start.
 *
 * @param arenaShareOfFree share of the free VRAM taken by the arena at start (0, 1)
 * @param kvShareOfArena   share of the arena cut into KV pages; the rest is the weight pool
 * @param kvPageBytes      size of every KV page (all models); tokens per page derive from it
 * @param swapHostBytes    pinned host memory for swapped-out KV pages
 */
public record CudaConfig(double arenaShareOfFree, double kvShareOfArena, long kvPageBytes, long swapHostBytes) {
    public CudaConfig {
        if (!(arenaShareOfFree > 0 && arenaShareOfFree < 1)) {
            throw new IllegalArgumentException("arena share must be in (0, 1), got " + arenaShareOfFree);
        }
        if (kvPageBytes <= 0 || kvPageBytes % 256 != 0) {
            throw new IllegalArgumentException("KV page size must be a positive multiple of 256, got " + kvPageBytes);
        }
    }

    public static CudaConfig defaults() {
        return new CudaConfig(0.90, 0.0, 2L << 20, 4L << 30);
    }
}
