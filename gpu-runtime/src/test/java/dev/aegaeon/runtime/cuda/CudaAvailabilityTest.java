package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.arch.ComputeCapability;
import dev.aegaeon.runtime.cuda.arch.KernelImageChoice;
import dev.aegaeon.runtime.cuda.arch.KernelImageManifest;
import dev.aegaeon.runtime.cuda.config.CudaOptions;
import dev.aegaeon.runtime.backend.Backends;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** On any machine: the CUDA backend either works or explains in one line why not, never throws. */
class CudaAvailabilityTest {

    @Test
    void probeNeverThrowsAndExplainsItselfInOneLine() {
        CudaAvailability a = CudaAvailability.probe();
        assertFalse(a.reason().contains("\n"), a.reason());
        if (a.available()) {
            assertTrue(a.deviceCount() > 0);
        } else {
            assertTrue(a.reason().startsWith("CUDA unavailable: "), a.reason());
            assertEquals(Optional.of(a.reason()), new CudaBackendProvider().unavailableReason());
        }
    }

    @Test
    void withoutAGpuTheDefaultChoiceFallsBackToTheCpuAndSaysWhy() {
        if (CudaAvailability.probe().available()) return; // a GPU machine picks cuda: nothing to fall back from
        Backends.Choice c = Backends.choose(Optional.empty());
        assertEquals("cpu", c.provider().name());
        assertTrue(c.describe().contains("cuda unavailable: CUDA unavailable: "), c.describe());
        var e = assertThrows(IllegalArgumentException.class, () -> Backends.choose(Optional.of("cuda")));
        assertTrue(e.getMessage().contains("CUDA unavailable"), e.getMessage());
    }

    @Test
    void kernelImagesArePackagedWhetherOrNotNvccExists() {
        // the images are committed: no build step needs nvcc, so every build carries them
        assertNotNull(KernelImageManifest.packaged(), "src/main/kernel-images should be packaged under " + KernelImageManifest.RESOURCE_DIR);
        assertFalse(CudaAvailability.probe().reason().contains("kernel images"), CudaAvailability.probe().reason());
    }

    @Test
    void anUnsupportedCardIsOneLineNamingCardDriverNeedAndTheCpuFallback() {
        var refuse = (KernelImageChoice.Refuse) KernelImageChoice.choose(new ComputeCapability(7, 0), 13000,
                java.util.Set.of("sm_80", "compute_80"), false, 13000, CudaOptions.KernelArch.AUTO);
        String line = CudaAvailability.refusal(0, "Tesla V100-SXM2-16GB", new ComputeCapability(7, 0), 12040, refuse);
        assertFalse(line.contains("\n"));
        for (String part : new String[] {"Tesla V100-SXM2-16GB", "compute capability 7.0", "driver for CUDA 12.4", "8.0", "CPU backend"}) {
            assertTrue(line.contains(part), line);
        }
    }
}
