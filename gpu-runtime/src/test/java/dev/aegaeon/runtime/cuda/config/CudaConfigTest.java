package dev.aegaeon.runtime.cuda.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a device holds its memory: on demand only where asked for and where the device takes virtual memory. */
class CudaConfigTest {
    @Test
    void onDemandNeedsTheDevicesVirtualMemory() {
        CudaConfig onDemand = new CudaConfig(0.9, true);
        assertTrue(onDemand.onDemandOn(true));
        assertFalse(onDemand.onDemandOn(false), "a device without virtual memory management holds one allocation");
        assertFalse(CudaConfig.oneAllocation(0.9).onDemandOn(true));
    }

    @Test
    void theDefaultAsksForMemoryOnDemand() {
        assertTrue(new CudaConfig(0.9, CudaOptions.defaults().deviceMemory() == CudaOptions.DeviceMemory.ON_DEMAND).onDemandMemory());
    }

    @Test
    void aShareOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CudaConfig(1.0, true));
        assertThrows(IllegalArgumentException.class, () -> new CudaConfig(0.0, false));
    }
}
