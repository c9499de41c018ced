package dev.aegaeon.runtime.cuda.tiles;

import dev.aegaeon.runtime.cuda.arch.DeviceLimits;
import dev.aegaeon.runtime.cuda.config.CudaOptions;
import dev.aegaeon.runtime.cuda.kernels.KernelModules;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;

/**
 * Which tensor-core GEMM kernel serves a product of M rows: a registry of the loaded tile kernels
 * per row range (9..64, 65..128, more than 128) and the kernel each range uses now. At start each
 * range takes the tile its {@link CudaOptions} names, else the first of its defaults that loaded
 * (the sm_90a wgmma module may be absent; excluded tiles and tiles whose shared memory the GPU
 * cannot give a block, per its {@link DeviceLimits}, are never registered).
 */
public final class GemmTiles {
    private static final System.Logger SYS_LOG = System.getLogger(GemmTiles.class.getName());
    private static final Consumer<String> LOG_INFO = m -> SYS_LOG.log(System.Logger.Level.INFO, m);
    /**
     * Default kernels for more than 128 rows (prefill), the first one loaded wins: the Hopper wgmma
     * kernel where its sm_90a module loaded, else the mma.sync one, else the padded classic tile.
     * (H100: prefill of 1,024 tokens 40.9 ms against 57.3 on mma.sync and 89.3 on the classic tile.)
     */
    public static final List<String> DEFAULT_LARGE_TILES = List.of("gemm_wgmma_128x256", "gemm_mma_128x128_k64", "gemm_128x128_k64");
    /** Default kernels for 9 to 64 rows, first loaded wins (H100: decode batch 64 13.1 ms against 15.1 and 15.6). */
    public static final List<String> DEFAULT_SMALL_TILES = List.of("gemm_wgmma_128x128", "gemm_mma_128x128_k64", "gemm_64x64");
    /** Default kernels for 65 to 128 rows, first loaded wins (H100: batch 128 17.5 ms, prefill 128 14.1, against 26.0 / 22.2 on gemm_128x64). */
    public static final List<String> DEFAULT_MID_TILES = List.of("gemm_wgmma_128x128", "gemm_mma_128x128_k64", "gemm_128x64");

    /** A tensor-core tile: its kernel, block tile bm x bn, threads per block and dynamic shared memory. */
    public record Tile(String name, CUfunction fn, int bm, int bn, int threads, int smem) {}

    /** The row ranges a tile may serve. */
    public enum Range { SMALL, MID, LARGE }

    /**
     * A tile kernel before loading: its geometry, dynamic shared memory, the ranges it may serve and
     * whether it sits in an optional module (the sm_90a wgmma ones) or may be excluded by option.
     */
    public record TileSpec(String name, int bm, int bn, int threads, int smem, boolean swizzled, Set<Range> ranges) {
        /** A padded classic tile (gemm.cu): stages x (bm + bn) x (bk + 8) bf16. */
        static TileSpec classic(String name, int bm, int bn, int threads, int stages, int bk, Range... ranges) {
            return new TileSpec(name, bm, bn, threads, stages * (bm + bn) * (bk + 8) * 2, false, Set.of(ranges));
        }

        /**
         * Swizzled, unpadded kernels (gemm_mma.cu; gemm_wgmma_sm90a.cu): shared memory is stages x
         * (bm + bn) x bk x 2 bytes, the wgmma ones 1 KiB more to align their stages to 1024 bytes.
         * They also stream decode-batch weights (rows past M are zero-filled): candidates for every range.
         */
        static TileSpec swizzled(String name, int bm, int bn, int threads, int smem) {
            return new TileSpec(name, bm, bn, threads, smem, true, Set.of(Range.values()));
        }
    }

    /** Every tile kernel, in the order the registries list them. */
    public static final List<TileSpec> SPECS = List.of(
            TileSpec.classic("gemm_128x128", 128, 128, 256, 3, 32, Range.LARGE),
            TileSpec.classic("gemm_128x256", 128, 256, 256, 3, 32, Range.LARGE),
            TileSpec.classic("gemm_256x128", 256, 128, 256, 3, 32, Range.LARGE),
            TileSpec.classic("gemm_128x128_k64", 128, 128, 256, 3, 64, Range.LARGE),
            TileSpec.classic("gemm_128x256_k64", 128, 256, 256, 3, 64, Range.LARGE),
            TileSpec.classic("gemm_64x64", 64, 64, 128, 4, 32, Range.SMALL),
            TileSpec.classic("gemm_64x128", 64, 128, 128, 4, 32, Range.SMALL),
            TileSpec.classic("gemm_64x64_k64", 64, 64, 128, 4, 64, Range.SMALL),
            TileSpec.classic("gemm_128x64", 128, 64, 128, 3, 32, Range.SMALL, Range.MID),
            TileSpec.swizzled("gemm_mma_128x128_k64", 128, 128, 128, 3 * 256 * 64 * 2),
            TileSpec.swizzled("gemm_mma_128x256_k64", 128, 256, 256, 3 * 384 * 64 * 2),
            TileSpec.swizzled("gemm_mma_128x128_k32", 128, 128, 128, 4 * 256 * 32 * 2),
            TileSpec.swizzled("gemm_wgmma_128x256", 128, 256, 256, 4 * 384 * 64 * 2 + 1024),
            TileSpec.swizzled("gemm_wgmma_128x128", 128, 128, 256, 6 * 256 * 64 * 2 + 1024));

    private final Map<String, Tile> largeTiles = new LinkedHashMap<>();
    private final Map<String, Tile> midTiles = new LinkedHashMap<>();
    private final Map<String, Tile> smallTiles = new LinkedHashMap<>();
    private final Runnable beforeChange;
    private volatile Tile largeTile, midTile, smallTile;

    /**
     * {@code beforeChange} runs before any selection changes (the step recorder issues what it holds).
     * Tiles whose shared memory exceeds what {@code limits} allow a block are left out (logged once).
     */
    public GemmTiles(KernelModules k, CudaOptions options, DeviceLimits limits, Runnable beforeChange) {
        this.beforeChange = beforeChange;
        for (TileSpec spec : usable(limits, name -> k.optionalFunction(name) != null, options.excludeTiles(), LOG_INFO)) {
            Tile t = new Tile(spec.name(), withSmem(k.function(spec.name()), spec.smem()), spec.bm(), spec.bn(), spec.threads(), spec.smem());
            if (spec.ranges().contains(Range.LARGE)) largeTiles.put(t.name(), t);
            if (spec.ranges().contains(Range.MID)) midTiles.put(t.name(), t);
            if (spec.ranges().contains(Range.SMALL)) smallTiles.put(t.name(), t);
        }
        useLarge(chosen(options.largeTile(), DEFAULT_LARGE_TILES, largeTiles.keySet()));
        useSmall(chosen(options.smallTile(), DEFAULT_SMALL_TILES, smallTiles.keySet()));
        useMid(chosen(options.midTile(), DEFAULT_MID_TILES, midTiles.keySet()));
    }

    /**
     * The tiles this device can run, in {@link #SPECS} order: a swizzled tile only when {@code loaded}
     * (its module loaded) and not {@code excluded}; any tile only when its shared memory fits
     * {@code limits} ({@code leftOut} hears why one does not). A classic tile that fits is always
     * usable: its module is required.
     */
    public static List<TileSpec> usable(DeviceLimits limits, Predicate<String> loaded, Set<String> excluded, Consumer<String> leftOut) {
        List<TileSpec> out = new ArrayList<>();
        for (TileSpec s : SPECS) {
            if (s.swizzled() && (excluded.contains(s.name()) || !loaded.test(s.name()))) continue;
            if (!limits.fitsShared(s.smem())) {
                leftOut.accept("GEMM tile " + s.name() + " left out: it needs " + s.smem() + " bytes of shared memory per block, this GPU allows "
                        + limits.sharedPerBlockOptin());
                continue;
            }
            out.add(s);
        }
        return out;
    }

    /** The names of the {@code usable} tiles serving {@code range}, in order. */
    public static Set<String> namesFor(List<TileSpec> usable, Range range) {
        Set<String> names = new LinkedHashSet<>();
        for (TileSpec s : usable) if (s.ranges().contains(range)) names.add(s.name());
        return names;
    }

    /**
     * The tile {@code named}, else the first of {@code defaults} that loaded (an excluded or absent
     * kernel falls through to the next). A named tile that is not loaded fails in the use* method
     * with the known names.
     */
    public static String chosen(String named, List<String> defaults, Set<String> loaded) {
        if (named != null) return named;
        return defaults.stream().filter(loaded::contains).findFirst()
                .orElseThrow(() -> new IllegalStateException("none of " + defaults + " loaded; loaded: " + loaded));
    }

    /** The tile a product of {@code m} rows (more than the GEMV's 8) runs on now. */
    public Tile forRows(int m) {
        return m <= 64 ? smallTile : m <= 128 ? midTile : largeTile;
    }

    public Set<String> largeNames() { return Collections.unmodifiableSet(largeTiles.keySet()); }

    public Set<String> midNames() { return Collections.unmodifiableSet(midTiles.keySet()); }

    public Set<String> smallNames() { return Collections.unmodifiableSet(smallTiles.keySet()); }

    public String largeName() { return largeTile.name(); }

    public String midName() { return midTile.name(); }

    public String smallName() { return smallTile.name(); }

    /** Selects the kernel for more than 128 rows; an unknown name is an IllegalArgumentException listing the known ones. */
    public void useLarge(String name) {
        Tile t = lookup(largeTiles, name);
        beforeChange.run();
        largeTile = t;
    }

    /** Selects the kernel for 65..128 rows. */
    public void useMid(String name) {
        Tile t = lookup(midTiles, name);
        beforeChange.run();
        midTile = t;
    }

    /** Selects the kernel for 9..64 rows. */
    public void useSmall(String name) {
        Tile t = lookup(smallTiles, name);
        beforeChange.run();
        smallTile = t;
    }

    private static Tile lookup(Map<String, Tile> tiles, String name) {
        Tile t = tiles.get(name);
        if (t == null) throw new IllegalArgumentException("unknown GEMM tile " + name + "; known: " + tiles.keySet());
        return t;
    }

    private static CUfunction withSmem(CUfunction f, int bytes) {
        cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
        return f;
    }
}
