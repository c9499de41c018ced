package dev.aegaeon.runtime.cuda.tiles;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How GemmTiles picks each row range's product kernel: a named one, else the first default that loaded. */
class TileDefaultsTest {
    @Test
    void theFastestLoadedDefaultWins() {
        assertEquals("gemm_wgmma_128x256", GemmTiles.chosen(null, GemmTiles.DEFAULT_LARGE_TILES,
                Set.of("gemm_128x128_k64", "gemm_mma_128x128_k64", "gemm_wgmma_128x256")));
    }

    @Test
    void withoutTheSm90aModuleTheMmaKernelServesThenTheClassicTile() {
        assertEquals("gemm_mma_128x128_k64", GemmTiles.chosen(null, GemmTiles.DEFAULT_SMALL_TILES,
                Set.of("gemm_64x64", "gemm_mma_128x128_k64")));
        assertEquals("gemm_128x64", GemmTiles.chosen(null, GemmTiles.DEFAULT_MID_TILES, Set.of("gemm_128x64")));
    }

    @Test
    void aNamedTileIsTakenAsNamedEvenWhenADefaultIsLoaded() {
        assertEquals("gemm_64x64", GemmTiles.chosen("gemm_64x64", GemmTiles.DEFAULT_SMALL_TILES, Set.of("gemm_64x64", "gemm_wgmma_128x128")));
    }

    @Test
    void noLoadedDefaultNamesWhatDidLoad() {
        var e = assertThrows(IllegalStateException.class, () -> GemmTiles.chosen(null, List.of("a", "b"), Set.of("c")));
        assertTrue(e.getMessage().contains("[c]"), e.getMessage());
    }

    @Test
    void everyRangeEndsOnAKernelThatAlwaysLoads() {
        // the classic padded tiles are in the always-loaded module: the last default of each range
        assertEquals("gemm_128x128_k64", GemmTiles.DEFAULT_LARGE_TILES.getLast());
        assertEquals("gemm_64x64", GemmTiles.DEFAULT_SMALL_TILES.getLast());
        assertEquals("gemm_128x64", GemmTiles.DEFAULT_MID_TILES.getLast());
    }
}
