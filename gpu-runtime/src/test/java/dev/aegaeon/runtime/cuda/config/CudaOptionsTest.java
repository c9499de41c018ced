package dev.aegaeon.runtime.cuda.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The one typed CUDA configuration: its README table, its defaults, its validation and its single reader. */
class CudaOptionsTest {
    private static final Pattern ROW = Pattern.compile("^\\| `aegaeon\\.cuda\\.(\\w+)` \\| (?:`([^`]*)`|\\(empty\\)) \\| (measured|experimental) \\| (.+) \\|$");

    @Test
    void readmeTableListsEveryKeyWithItsDefaultAndStatus() throws IOException {
        List<CudaOptions.Key> documented = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                documented.add(new CudaOptions.Key(m.group(1), m.group(2) == null ? "" : m.group(2),
                        m.group(3).equals("experimental"), m.group(4)));
            }
        }
        assertEquals(CudaOptions.KEYS, documented, "gpu-runtime/README.md's option table differs from CudaOptions.KEYS");
    }

    @Test
    void defaultsAreTheDocumentedOnesAndExperimentalKernelsAreOff() {
        CudaOptions d = CudaOptions.defaults();
        assertEquals(16, d.stepGraphs());
        assertTrue(d.fuseGemv() && d.splitKvDecode() && d.splitKvMma() && d.fusedBf16Operands() && d.pinnedKvCopies());
        assertFalse(d.gemvWide() || d.swapAbDeep());
        assertTrue(d.bf16Mlp() && d.bf16OnlyInputs(), "the bf16 MLP and bf16-only inputs: the suite and both parities passed with them on an H100");
        assertTrue(d.swapAbDecode(), "decode batch 8 on swap-AB");
        assertEquals(8, d.swapAbMinRows());
        assertEquals(8, d.swapAbMaxRows());
        assertEquals(4, d.gemvBlockRows());
        assertEquals(CudaOptions.GqaDecode.OFF, d.gqaDecode());
        assertNull(d.largeTile());
        assertTrue(d.excludeTiles().isEmpty());
        assertEquals(256L << 20, d.kvStagingBytes());
        for (CudaOptions.Key k : CudaOptions.KEYS) {
            if (k.experimental()) {
                assertTrue(java.util.Set.of("false", "OWN").contains(k.defaultValue()), k.name() + " is experimental, so off by default");
            }
        }
        assertTrue(d.prefillAttentionMma(), "the tensor-core prefill attention passed the suite and both parities on an H100");
        assertEquals(CudaOptions.GemmLibrary.CUBLASLT, d.gemmLibrary(), "cuBLASLt where found: the suite and both parities passed with it");
        assertEquals(9, d.cublasLtMinRows(), "batches of up to 8 rows stay on the GEMV and swap-AB kernels, which read fp32 activations");
        assertEquals(CudaOptions.DeviceMemory.ON_DEMAND, d.deviceMemory(), "memory on demand: the suite and both parities passed over it");
        assertTrue(d.summary().endsWith(" deviceMemory=ON_DEMAND"), d.summary());
    }

    @Test
    void propertiesOverrideDefaults() {
        Properties p = new Properties();
        p.setProperty("aegaeon.cuda.largeTile", " gemm_128x128_k64 ");
        p.setProperty("aegaeon.cuda.excludeTiles", "gemm_wgmma_128x256, gemm_mma_128x256_k64");
        p.setProperty("aegaeon.cuda.gqaDecode", "auto");
        p.setProperty("aegaeon.cuda.stepGraphs", "0");
        p.setProperty("aegaeon.cuda.prefillAttentionMma", "false");
        p.setProperty("aegaeon.cuda.gemmLibrary", "own");
        p.setProperty("aegaeon.cuda.cublasLtMinRows", "8");
        p.setProperty("aegaeon.cuda.deviceMemory", "one_allocation");
        p.setProperty("aegaeon.cuda.kernelArch", "generic");
        p.setProperty("aegaeon.cuda.bf16Mlp", "false");
        p.setProperty("aegaeon.cuda.residualEpilogue", "true");
        p.setProperty("aegaeon.cuda.bf16OnlyInputs", "false");
        CudaOptions o = CudaOptions.from(p);
        assertEquals(CudaOptions.KernelArch.GENERIC, o.kernelArch());
        assertEquals(CudaOptions.KernelArch.AUTO, CudaOptions.defaults().kernelArch());
        assertEquals("gemm_128x128_k64", o.largeTile());
        assertEquals(java.util.Set.of("gemm_wgmma_128x256", "gemm_mma_128x256_k64"), o.excludeTiles());
        assertEquals(CudaOptions.GqaDecode.AUTO, o.gqaDecode());
        assertEquals(0, o.stepGraphs());
        assertFalse(o.prefillAttentionMma());
        assertEquals(CudaOptions.GemmLibrary.OWN, o.gemmLibrary());
        assertEquals(8, o.cublasLtMinRows());
        assertFalse(o.bf16Mlp());
        assertTrue(o.summary().contains(" bf16Mlp=false "), o.summary());
        assertTrue(CudaOptions.defaults().summary().contains(" bf16Mlp=true "), CudaOptions.defaults().summary());
        assertTrue(o.residualEpilogue() && !CudaOptions.defaults().residualEpilogue());
        assertTrue(o.summary().contains(" residualEpilogue=true(experimental) "), o.summary());
        assertTrue(!o.bf16OnlyInputs() && CudaOptions.defaults().bf16OnlyInputs());
        assertTrue(o.summary().contains(" bf16OnlyInputs=false "), o.summary());
        assertTrue(o.summary().contains(" prefillAttentionMma=false ") && o.summary().contains(" gemmLibrary=OWN "), o.summary());
        assertEquals(CudaOptions.DeviceMemory.ONE_ALLOCATION, o.deviceMemory());
        assertTrue(o.summary().contains("deviceMemory=ONE_ALLOCATION"), o.summary());
        assertFalse(o.summary().contains("\n"), "one log line");
    }

    @Test
    void unknownKeysAndMalformedValuesNameTheKey() {
        for (String[] bad : new String[][] {{"aegaeon.cuda.splitKvMMA", "true"}, {"aegaeon.cuda.fuseGemv", "yes"}, {"aegaeon.cuda.bf16Mlp", "1"},
                {"aegaeon.cuda.stepGraphs", "-1"}, {"aegaeon.cuda.swapAbMinRows", "1"}, {"aegaeon.cuda.swapAbMaxRows", "129"}, {"aegaeon.cuda.gqaDecode", "SOMETIMES"},
                {"aegaeon.cuda.kvStagingBytes", "0"}, {"aegaeon.cuda.stepGraphs", "many"}, {"aegaeon.cuda.kernelArch", "sm_75"},
                {"aegaeon.cuda.gemvBlockRows", "3"}, {"aegaeon.cuda.cublasLtMinRows", "0"}, {"aegaeon.cuda.cublasLtMinRows", "10"}}) {
            Properties p = new Properties();
            p.setProperty(bad[0], bad[1]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaOptions.from(p), bad[0]);
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
    }

    @Test
    void noOtherMainClassReadsTheProperties() throws IOException {
        Path main = Path.of("src/main/java");
        Path self = main.resolve("dev/aegaeon/runtime/cuda/config/CudaOptions.java");
        List<Path> readers;
        try (Stream<Path> files = Files.walk(main)) {
            readers = files.filter(f -> f.toString().endsWith(".java") && !f.equals(self))
                    .filter(f -> {
                        try {
                            return Files.readString(f).contains("\"aegaeon.cuda.");
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).toList();
        }
        assertEquals(List.of(), readers, "aegaeon.cuda.* is read in CudaOptions only");
    }
}
