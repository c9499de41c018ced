package dev.aegaeon.runtime.cuda.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The peer hand-off's copy plan: one copy per run that is consecutive on both sides (no GPU needed). */
class PeerKvRunsTest {

    @Test
    void aRunNeedsConsecutiveIdsOnBothSides() {
        int[] from = {2, 3, 4, 9, 0, 11, 10}, to = {5, 6, 7, 1, 11, 3, 2};
        assertEquals(List.of(new PeerKvCopies.PeerRun(2, 5, 3), new PeerKvCopies.PeerRun(9, 1, 1),
                new PeerKvCopies.PeerRun(0, 11, 1), new PeerKvCopies.PeerRun(11, 3, 1), new PeerKvCopies.PeerRun(10, 2, 1)),
                PeerKvCopies.runs(from, to));
        // Consecutive on the source only: the target's gap splits the run.
        assertEquals(List.of(new PeerKvCopies.PeerRun(0, 4, 2), new PeerKvCopies.PeerRun(2, 8, 1)),
                PeerKvCopies.runs(new int[] {0, 1, 2}, new int[] {4, 5, 8}));
        assertEquals(List.of(), PeerKvCopies.runs(new int[0], new int[0]));
    }

    @Test
    void listsOfDifferentLengthsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PeerKvCopies.runs(new int[] {1, 2}, new int[] {1}));
    }
}
