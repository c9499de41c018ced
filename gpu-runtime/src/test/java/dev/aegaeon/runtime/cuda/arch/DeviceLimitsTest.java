package dev.aegaeon.runtime.cuda.arch;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Residency and shared-memory checks for the cards users have, from their published attributes. */
class DeviceLimitsTest {
    /** H100 SXM: 132 SMs, 227 KiB per block opt-in, 228 KiB per SM, 2048 threads per SM. */
    static final DeviceLimits H100 = new DeviceLimits(new ComputeCapability(9, 0), 132, 232448, 233472, 2048);
    /** A100: 108 SMs, 163 KiB per block opt-in, 164 KiB per SM. */
    static final DeviceLimits A100 = new DeviceLimits(new ComputeCapability(8, 0), 108, 166912, 167936, 2048);
    /** L4 (8.9): 58 SMs, 99 KiB per block opt-in, 100 KiB per SM, 1536 threads per SM. */
    static final DeviceLimits L4 = new DeviceLimits(new ComputeCapability(8, 9), 58, 101376, 102400, 1536);

    @Test
    void residencyIsTheRegisterBoundWhereSharedMemoryAndThreadsAllowIt() {
        // the split attention's tensor-core pass for head size 128: 69,632 bytes, 3 blocks by registers
        int smem = 4 * 2 * 2 * 16 * (128 + 8) * 2;
        assertEquals(3, H100.residentBlocks(3, 128, smem));
        assertEquals(2, A100.residentBlocks(3, 128, smem));
        assertEquals(1, L4.residentBlocks(3, 128, smem));
        // head size 64 (36,864 bytes), 5 by registers
        assertEquals(5, H100.residentBlocks(5, 128, 36864));
        assertEquals(4, A100.residentBlocks(5, 128, 36864));
        assertEquals(2, L4.residentBlocks(5, 128, 36864));
        // threads: 1536 per SM on 8.9 hold 12 blocks of 128
        assertEquals(12, L4.residentBlocks(16, 128, 0));
        assertEquals(8, L4.residentBlocks(8, 128, 0));
    }

    @Test
    void sharedMemoryBeyondTheCardsOptInIsARefusalNamingTheKernel() {
        assertTrue(H100.fitsShared(197632));
        assertTrue(A100.fitsShared(165888));
        assertTrue(!L4.fitsShared(110592));
        var e = assertThrows(IllegalStateException.class, () -> L4.requireShared("gemm_x", 110592));
        assertTrue(e.getMessage().contains("gemm_x") && e.getMessage().contains("101376"), e.getMessage());
    }

    @Test
    void implausibleAttributesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new DeviceLimits(new ComputeCapability(8, 0), 0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new DeviceLimits(new ComputeCapability(8, 0), 1, 2, 1, 1));
    }
}
