package dev.aegaeon.runtime.cuda.tiles;

import dev.aegaeon.runtime.cuda.arch.ComputeCapability;
import dev.aegaeon.runtime.cuda.arch.DeviceLimits;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GEMM tiles and launch grids each card gets from its own attributes: every registered tile's
 * shared memory within the card's opt-in, a default for every row range, split-K grids that fill the
 * card's multiprocessors without passing the workspace.
 */
class TileLimitsTest {
    static final DeviceLimits H100 = new DeviceLimits(new ComputeCapability(9, 0), 132, 232448, 233472, 2048);
    static final DeviceLimits A100 = new DeviceLimits(new ComputeCapability(8, 0), 108, 166912, 167936, 2048);
    static final DeviceLimits L4 = new DeviceLimits(new ComputeCapability(8, 9), 58, 101376, 102400, 1536);
    /** Off Hopper the sm_90a module does not load. */
    static final Predicate<String> NO_WGMMA = name -> !name.startsWith("gemm_wgmma");

    @Test
    void onHopperEveryTileIsUsableAndTheDefaultsAreTheMeasuredOnes() {
        List<GemmTiles.TileSpec> usable = GemmTiles.usable(H100, name -> true, Set.of(), m -> { throw new AssertionError(m); });
        assertEquals(GemmTiles.SPECS, usable);
        assertEquals("gemm_wgmma_128x256", GemmTiles.chosen(null, GemmTiles.DEFAULT_LARGE_TILES, GemmTiles.namesFor(usable, GemmTiles.Range.LARGE)));
        assertEquals("gemm_wgmma_128x128", GemmTiles.chosen(null, GemmTiles.DEFAULT_MID_TILES, GemmTiles.namesFor(usable, GemmTiles.Range.MID)));
        assertEquals("gemm_wgmma_128x128", GemmTiles.chosen(null, GemmTiles.DEFAULT_SMALL_TILES, GemmTiles.namesFor(usable, GemmTiles.Range.SMALL)));
    }

    @Test
    void a100KeepsEveryNonWgmmaTileAndTakesMmaSync() {
        List<String> leftOut = new ArrayList<>();
        List<GemmTiles.TileSpec> usable = GemmTiles.usable(A100, NO_WGMMA, Set.of(), leftOut::add);
        assertEquals(List.of(), leftOut);
        assertEquals(12, usable.size());
        assertDefaults(A100, usable, "gemm_mma_128x128_k64");
    }

    @Test
    void l4LeavesOutTheTilesItsSharedMemoryCannotHold() {
        List<String> leftOut = new ArrayList<>();
        List<GemmTiles.TileSpec> usable = GemmTiles.usable(L4, NO_WGMMA, Set.of(), leftOut::add);
        List<String> names = usable.stream().map(GemmTiles.TileSpec::name).toList();
        assertFalse(names.contains("gemm_128x128_k64"), "110,592 bytes > 99 KiB");
        assertFalse(names.contains("gemm_128x256_k64"));
        assertFalse(names.contains("gemm_mma_128x256_k64"), "147,456 bytes > 99 KiB");
        assertEquals(3, leftOut.size(), leftOut.toString());
        assertTrue(leftOut.getFirst().contains("101376"), leftOut.getFirst());
        assertDefaults(L4, usable, "gemm_mma_128x128_k64");
    }

    private static void assertDefaults(DeviceLimits card, List<GemmTiles.TileSpec> usable, String expected) {
        for (GemmTiles.TileSpec s : usable) assertTrue(card.fitsShared(s.smem()), s.name());
        assertEquals(expected, GemmTiles.chosen(null, GemmTiles.DEFAULT_LARGE_TILES, GemmTiles.namesFor(usable, GemmTiles.Range.LARGE)));
        assertEquals(expected, GemmTiles.chosen(null, GemmTiles.DEFAULT_MID_TILES, GemmTiles.namesFor(usable, GemmTiles.Range.MID)));
        assertEquals(expected, GemmTiles.chosen(null, GemmTiles.DEFAULT_SMALL_TILES, GemmTiles.namesFor(usable, GemmTiles.Range.SMALL)));
    }

    @Test
    void splitKGridsFillEachCardAndFitItsWorkspace() {
        for (DeviceLimits card : List.of(H100, A100, L4)) {
            SplitKPolicy p = new SplitKPolicy(card.multiprocessors());
            int sms = card.multiprocessors();
            // a 7B decode batch of 32 rows: N = 4096 in 128-wide tiles, one row tile, K = 4096
            int blocks = 4096 / 128;
            int splits = p.splitsFor(blocks, 32, 4096);
            assertTrue(splits >= 1 && splits <= SplitKPolicy.MAX_SPLITS, card + ": " + splits);
            assertTrue((long) blocks * splits >= Math.min(4L * sms, (long) blocks * Math.min(16, 4096 / 256)), card + ": grid " + blocks * splits);
            assertTrue((long) blocks * splits * 128 * 128 * 4 <= p.workspaceBytes(), card + ": partials fit the workspace");
            // a full prefill grid is never split; a small one fills at most one wave
            assertEquals(1, p.splitsFor(sms, 1024, 4096));
            int prefillSplits = p.splitsFor(4, 1024, 4096);
            assertTrue(4L * prefillSplits <= sms, card + ": " + prefillSplits);
        }
    }
}
