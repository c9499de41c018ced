package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.kernels.KernelModules;
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
    void kernelsAreBuiltWhereNvccExists() {
        if (!java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/local/bin/nvcc"))) return;
        assertNotNull(KernelModules.listResource(), "the cuda profile should have compiled the kernels to PTX");
    }
}
