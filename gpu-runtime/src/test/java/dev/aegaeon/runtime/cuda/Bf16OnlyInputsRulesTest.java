package dev.aegaeon.runtime.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a write may go to a product input's bf16 operand alone (CPU only; the path is Bf16OnlyInputsConformanceTest's). */
class Bf16OnlyInputsRulesTest {

    @Test
    void appliesOnlyWithEveryConditionAndFromNineRows() {
        assertTrue(Bf16OnlyInputs.applies(true, true, true, 9));
        assertTrue(Bf16OnlyInputs.applies(true, true, true, 1024));
        assertFalse(Bf16OnlyInputs.applies(false, true, true, 1024), "option off");
        assertFalse(Bf16OnlyInputs.applies(true, false, true, 1024), "a tensor other ops read as fp32 (the final norm's output)");
        assertFalse(Bf16OnlyInputs.applies(true, true, false, 1024), "products of these rows read fp32 (swap-AB) or fused operands are off");
        assertFalse(Bf16OnlyInputs.applies(true, true, true, 8), "8 rows: a declined product would fall back to the fp32 GEMV");
    }
}
