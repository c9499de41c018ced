package dev.aegaeon.runtime.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the residual epilogue applies (CPU only; the path itself is ResidualEpilogueConformanceTest's). */
class ResidualEpilogueRulesTest {

    @Test
    void appliesOnlyWithEveryCondition() {
        assertTrue(ResidualEpilogue.applies(true, true, true, true));
        assertFalse(ResidualEpilogue.applies(false, true, true, true), "option off");
        assertFalse(ResidualEpilogue.applies(true, false, true, true), "a float32 checkpoint's fp32 weight");
        assertFalse(ResidualEpilogue.applies(true, true, false, true), "rows not asked onto cuBLASLt");
        assertFalse(ResidualEpilogue.applies(true, true, true, false), "the product reads fp32 x (swap-AB)");
    }
}
