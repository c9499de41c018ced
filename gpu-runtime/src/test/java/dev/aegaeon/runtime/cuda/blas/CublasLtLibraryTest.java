package dev.aegaeon.runtime.cuda.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Finding cuBLASLt, and the alignment the heuristic is told about; no GPU needed. */
class CublasLtLibraryTest {
    @Test
    void aMissingLibraryIsReportedWithEveryPlaceTried() {
        Optional<CublasLtLibrary> lib = CublasLtLibrary.load("/nonexistent/libcublasLt.so.99");
        if (lib.isPresent()) {
            // a machine with CUDA's libraries: the bogus file was skipped for a real one
            assertNotEquals("/nonexistent/libcublasLt.so.99", lib.get().origin());
            return;
        }
        String why = CublasLtLibrary.whyAbsent();
        assertTrue(why.contains("/nonexistent/libcublasLt.so.99"), why);
        for (String name : CublasLtLibrary.NAMES) assertTrue(why.contains(name), "names every library tried: " + why);
        assertTrue(why.contains("AEGAEON_CUBLASLT"), "says how to point at the file: " + why);
    }

    @Test
    void alignmentIsTheLargestPowerOfTwoUpTo256() {
        assertEquals(256, CublasLtMatmul.alignment(0x7f0000000000L));
        assertEquals(256, CublasLtMatmul.alignment(0));
        assertEquals(2, CublasLtMatmul.alignment(0x7f0000000002L));
        assertEquals(16, CublasLtMatmul.alignment(0x7f0000000030L));
        assertEquals(128, CublasLtMatmul.alignment(0x7f0000000080L));
    }
}
