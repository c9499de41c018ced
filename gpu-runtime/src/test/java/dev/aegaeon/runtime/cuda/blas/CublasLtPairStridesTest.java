package dev.aegaeon.runtime.cuda.blas;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A pair's batch strides: element distances from its first operands, non-negative, on the element grid, biases on both or neither. */
class CublasLtPairStridesTest {
    @Test
    void stridesAreElementDistancesPerType() {
        assertEquals(new CublasLtMatmul.PairStrides(512, 0, 1024), CublasLtMatmul.strides(0x1000, 0x1400, 0, 0, false, 0x8000, 0x8800, false));
        assertEquals(new CublasLtMatmul.PairStrides(512, 128, 256), CublasLtMatmul.strides(0x1000, 0x1400, 0x200, 0x400, true, 0x8000, 0x8400, true));
        assertEquals(new CublasLtMatmul.PairStrides(512, 256, 256), CublasLtMatmul.strides(0x1000, 0x1400, 0x200, 0x400, false, 0x8000, 0x8400, true));
    }

    @Test
    void pairsThatCannotBeBatchStridesAreDeclined() {
        assertNull(CublasLtMatmul.strides(0x1000, 0x1400, 0, 0, false, 0x8800, 0x8000, true), "output below the first's");
        assertNull(CublasLtMatmul.strides(0x1000, 0x1400, 0x400, 0x200, true, 0x8000, 0x8400, true), "bias below the first's");
        assertNull(CublasLtMatmul.strides(0x1000, 0x1000, 0, 0, false, 0x8000, 0x8400, true), "one weight twice");
        assertNull(CublasLtMatmul.strides(0x1000, 0x1400, 0x200, 0, true, 0x8000, 0x8400, true), "a bias on one product only");
        assertNull(CublasLtMatmul.strides(0x1000, 0x1400, 0x200, 0x200, true, 0x8000, 0x8400, true), "one bias twice");
        assertNull(CublasLtMatmul.strides(0x1000, 0x1401, 0, 0, false, 0x8000, 0x8400, true), "weights off the bf16 grid");
        assertNull(CublasLtMatmul.strides(0x1000, 0x1400, 0, 0, false, 0x8000, 0x8402, true), "outputs off the fp32 grid");
    }
}
