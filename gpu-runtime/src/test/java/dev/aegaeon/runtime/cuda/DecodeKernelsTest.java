package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.kernels.DecodeKernels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The swap-AB kernel's split-K policy (plain Java: runs without a GPU). */
class DecodeKernelsTest {
    @Test
    void aGridThatFillsTheGpuIsNotSplit() {
        // The LM head (152064 rows: 1188 ranges of 128) already fills three waves of 396 slots.
        assertEquals(1, DecodeKernels.splitsFor(1188, 396, 64, 3584, 128, 16 << 10));
    }

    @Test
    void aSmallGridIsSplitToFillOneWaveWithinTheCap() {
        // q/o at 64 rows: 28 row ranges, 396 resident slots: split, but never past 16 nor k / 256.
        int s = DecodeKernels.splitsFor(28, 396, 64, 3584, 128, 16 << 10);
        assertTrue(s > 1 && s <= 14, "splits " + s);
        assertTrue(28L * s <= 396, "one wave: " + 28 * s);
        // k/v at 64 rows: 4 ranges, K 3584: split, within the cap.
        int kv = DecodeKernels.splitsFor(4, 396, 64, 3584, 128, 16 << 10);
        assertTrue(kv > 1 && kv <= 14, "splits " + kv);
    }

    @Test
    void shortInnerDimensionsAreNotSplit() {
        assertEquals(1, DecodeKernels.splitsFor(2, 396, 64, 300, 128, 16 << 10));
        assertEquals(1, DecodeKernels.splitsFor(2, 396, 64, 511, 128, 16 << 10));
    }
}
