package dev.aegaeon.runtime.cuda.arch;

import dev.aegaeon.runtime.cuda.config.CudaOptions.KernelArch;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which images each capability loads and which kernel paths it may take, with the images this jar ships. */
class KernelImageChoiceTest {
    private static final Set<String> SHIPPED = Set.of("sm_80", "sm_86", "sm_89", "sm_90", "compute_80");
    private static final int CUDA_13_0 = 13000;

    private static KernelImageChoice.Load load(int major, int minor, KernelArch mode) {
        return assertInstanceOf(KernelImageChoice.Load.class,
                KernelImageChoice.choose(new ComputeCapability(major, minor), CUDA_13_0, SHIPPED, true, CUDA_13_0, mode));
    }

    @Test
    void a100TakesItsOwnSassWithoutWgmma() {
        KernelImageChoice.Load c = load(8, 0, KernelArch.AUTO);
        assertEquals("sm_80", c.arch());
        assertFalse(c.jit());
        assertFalse(c.hopperModules());
        assertFalse(c.allowsWgmma());
        assertTrue(c.allowsMmaSync());
    }

    @Test
    void a10gAndRtx3090TakeSm86() {
        KernelImageChoice.Load c = load(8, 6, KernelArch.AUTO);
        assertEquals("sm_86", c.arch());
        assertFalse(c.allowsWgmma());
        assertTrue(c.allowsMmaSync());
    }

    @Test
    void l4L40sAndRtx4090TakeSm89() {
        KernelImageChoice.Load c = load(8, 9, KernelArch.AUTO);
        assertEquals("sm_89", c.arch());
        assertFalse(c.jit());
        assertFalse(c.allowsWgmma());
    }

    @Test
    void anUnshippedMinorTakesTheNewestSassOfItsMajorBelowIt() {
        assertEquals("sm_86", load(8, 7, KernelArch.AUTO).arch());   // Jetson Orin: binary-compatible with sm_86
        assertEquals("sm_80", KernelImageChoice.choose(new ComputeCapability(8, 6), CUDA_13_0, Set.of("sm_80", "compute_80"), false,
                CUDA_13_0, KernelArch.AUTO) instanceof KernelImageChoice.Load l ? l.arch() : null);
    }

    @Test
    void hopperTakesSm90AndTheWgmmaModule() {
        KernelImageChoice.Load c = load(9, 0, KernelArch.AUTO);
        assertEquals("sm_90", c.arch());
        assertTrue(c.hopperModules());
        assertTrue(c.allowsWgmma());
        assertTrue(c.allowsMmaSync());
    }

    @Test
    void anUnknownNewerCardJitCompilesThePtxWithoutWgmma() {
        KernelImageChoice.Load c = load(12, 0, KernelArch.AUTO);
        assertEquals("compute_80", c.arch());
        assertTrue(c.jit());
        assertFalse(c.allowsWgmma(), "sm_90a code does not run on Blackwell");
        assertTrue(c.allowsMmaSync());
        assertEquals("compute_80", load(10, 0, KernelArch.AUTO).arch());
    }

    @Test
    void genericModeTakesThePtxAndNoWgmmaEvenOnHopper() {
        for (int[] cc : new int[][] {{8, 0}, {8, 6}, {8, 9}, {9, 0}, {12, 0}}) {
            KernelImageChoice.Load c = load(cc[0], cc[1], KernelArch.GENERIC);
            assertEquals("compute_80", c.arch());
            assertTrue(c.jit());
            assertFalse(c.allowsWgmma());
            assertTrue(c.describe().contains("generic"), c.describe());
        }
    }

    @Test
    void preAmpereCardsAreRefusedNamingWhatIsNeeded() {
        for (int[] cc : new int[][] {{7, 0}, {7, 5}, {6, 1}}) {
            var r = assertInstanceOf(KernelImageChoice.Refuse.class, KernelImageChoice.choose(new ComputeCapability(cc[0], cc[1]),
                    CUDA_13_0, SHIPPED, true, CUDA_13_0, KernelArch.AUTO));
            assertTrue(r.need().contains("8.0"), r.need());
        }
    }

    @Test
    void aDriverOlderThanTheImagesIsRefusedNamingTheDriverFloor() {
        var r = assertInstanceOf(KernelImageChoice.Refuse.class, KernelImageChoice.choose(new ComputeCapability(9, 0), 12080, SHIPPED, true,
                CUDA_13_0, KernelArch.AUTO));
        assertTrue(r.need().contains("CUDA 13.0") && r.need().contains("580"), r.need());
        // SASS needs the toolkit's major only (minor-version compatibility); JIT needs its major.minor.
        assertInstanceOf(KernelImageChoice.Load.class, KernelImageChoice.choose(new ComputeCapability(8, 0), 13000, SHIPPED, true, 13020,
                KernelArch.AUTO));
        assertInstanceOf(KernelImageChoice.Refuse.class, KernelImageChoice.choose(new ComputeCapability(12, 0), 13000, SHIPPED, true, 13020,
                KernelArch.AUTO));
    }

    @Test
    void theImagesToLoadAreOnePerModulePlusTheHopperModuleOnlyOnHopper() {
        KernelImageManifest m = new KernelImageManifest("13.0.88", List.of(
                image("gemm", "sm_80"), image("gemm", "sm_90"), image("gemm", "compute_80"),
                image("gemm_wgmma_sm90a", "sm_90a")));
        assertEquals(List.of("gemm.sm_90.fatbin", "gemm_wgmma_sm90a.sm_90a.fatbin"), files(m, 9, 0, KernelArch.AUTO));
        assertEquals(List.of("gemm.compute_80.fatbin"), files(m, 9, 0, KernelArch.GENERIC));
        assertEquals(List.of("gemm.sm_80.fatbin"), files(m, 8, 6, KernelArch.AUTO));
        assertEquals(List.of("gemm.compute_80.fatbin"), files(m, 12, 0, KernelArch.AUTO));
    }

    private static List<String> files(KernelImageManifest m, int major, int minor, KernelArch mode) {
        var c = assertInstanceOf(KernelImageChoice.Load.class, KernelImageChoice.choose(new ComputeCapability(major, minor), CUDA_13_0, m, mode));
        return c.images(m).stream().map(KernelImageManifest.Image::file).toList();
    }

    private static KernelImageManifest.Image image(String module, String arch) {
        return new KernelImageManifest.Image(module, arch, module + "." + arch + ".fatbin", "0", "0");
    }
}
