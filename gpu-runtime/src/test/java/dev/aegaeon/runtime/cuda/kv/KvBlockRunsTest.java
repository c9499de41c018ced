package dev.aegaeon.runtime.cuda.kv;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KvBlockRunsTest {
    @Test
    void consecutiveAscendingIdsMergeIntoOneCopy() {
        int[] blocks = {3, 4, 5, 9, 10, 2, 7};
        assertEquals(List.of(new KvBlockRuns(3, 0, 3), new KvBlockRuns(9, 3, 2), new KvBlockRuns(2, 5, 1),
                new KvBlockRuns(7, 6, 1)), KvBlockRuns.of(blocks, 0, blocks.length));
    }

    @Test
    void descendingAndRepeatedIdsStayApartInListOrder() {
        int[] blocks = {5, 4, 4, 5};
        assertEquals(List.of(new KvBlockRuns(5, 0, 1), new KvBlockRuns(4, 1, 1), new KvBlockRuns(4, 2, 2)),
                KvBlockRuns.of(blocks, 0, blocks.length));
    }

    @Test
    void aChunkBoundaryCutsARunAndIndexesCountFromTheChunk() {
        int[] blocks = {0, 1, 2, 3, 4, 8};
        assertEquals(List.of(new KvBlockRuns(0, 0, 2)), KvBlockRuns.of(blocks, 0, 2));
        assertEquals(List.of(new KvBlockRuns(2, 0, 3), new KvBlockRuns(8, 3, 1)), KvBlockRuns.of(blocks, 2, 6));
        assertEquals(List.of(), KvBlockRuns.of(blocks, 6, 6));
    }

    @Test
    void everyListedBlockIsCopiedExactlyOnceToItsPosition() {
        var rnd = new java.util.Random(3);
        for (int trial = 0; trial < 200; trial++) {
            int[] blocks = new int[1 + rnd.nextInt(40)];
            for (int i = 0; i < blocks.length; i++) blocks[i] = rnd.nextInt(4) == 0 ? rnd.nextInt(64) : (i == 0 ? 0 : blocks[i - 1] + 1);
            int from = rnd.nextInt(blocks.length), to = from + rnd.nextInt(blocks.length - from + 1);
            int[] staged = new int[to - from];
            java.util.Arrays.fill(staged, -1);
            int covered = 0;
            for (KvBlockRuns r : KvBlockRuns.of(blocks, from, to)) {
                for (int k = 0; k < r.count(); k++) {
                    assertEquals(-1, staged[r.firstIndex() + k], "position staged twice");
                    staged[r.firstIndex() + k] = r.firstBlock() + k;
                }
                covered += r.count();
            }
            assertEquals(to - from, covered);
            assertEquals(java.util.Arrays.toString(java.util.Arrays.copyOfRange(blocks, from, to)), java.util.Arrays.toString(staged));
        }
    }

    @Test
    void chunksHoldAsManyBlocksAsFitAndAtLeastOne() {
        assertEquals(4, KvBlockRuns.blocksPerChunk(1000, 4999));
        assertEquals(1, KvBlockRuns.blocksPerChunk(1000, 10));
        assertEquals(Integer.MAX_VALUE, KvBlockRuns.blocksPerChunk(1, Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> KvBlockRuns.blocksPerChunk(0, 10));
        assertThrows(IllegalArgumentException.class, () -> KvBlockRuns.of(new int[3], 2, 4));
    }
}
