package dev.aegaeon.runtime.cuda;

import dev.aegaeon.runtime.cuda.memory.DeviceRegion;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bf16 MLP's host-side rules (CPU only): when the path applies, and what a write of the bf16
 * copy alone does to a tensor's storage (fp32 stale until the next ordinary write, which every
 * fp32 reader's address, {@link CudaTensor#ptr()}, checks).
 */
class Bf16MlpRulesTest {

    @Test
    void appliesOnlyWithEveryConditionAndFromNineRows() {
        assertTrue(Bf16Mlp.applies(true, true, true, true, 9, true));
        assertTrue(Bf16Mlp.applies(true, true, true, true, 1024, true));
        assertFalse(Bf16Mlp.applies(false, true, true, true, 1024, true), "option off");
        assertFalse(Bf16Mlp.applies(true, false, true, true, 1024, true), "fused bf16 operands off");
        assertFalse(Bf16Mlp.applies(true, true, false, true, 1024, true), "products not on cuBLASLt");
        assertFalse(Bf16Mlp.applies(true, true, true, false, 1024, true), "the down product reads fp32 (swap-AB)");
        assertFalse(Bf16Mlp.applies(true, true, true, true, 1024, false), "a float32 checkpoint");
        assertFalse(Bf16Mlp.applies(true, true, true, true, 8, true), "8 rows: a declined product would fall back to the fp32 GEMV");
    }

    @Test
    void aBf16OnlyWriteLeavesFp32StaleUntilTheNextOrdinaryWrite() {
        CudaTensor.Storage st = new CudaTensor.Storage(new DeviceRegion(new CUdeviceptr(), 0, 4L * 16 * 8), 16, 8);
        CudaTensor t = new CudaTensor(st, 16), view = (CudaTensor) t.rowsView(12);
        assertSame(st.region.ptr(), t.ptr(), "fresh storage: fp32 readable");

        st.writtenBf16Only(12);
        assertTrue(st.fp32Stale);
        assertEquals(st.version, st.shadowVersion, "the bf16 copy is current");
        assertEquals(12, st.shadowRows);
        IllegalStateException e = assertThrows(IllegalStateException.class, view::ptr, "a view shares the storage");
        assertTrue(e.getMessage().contains("stale") && e.getMessage().contains("bf16Mlp"), e.getMessage());
        assertThrows(IllegalStateException.class, t::ptr);
        assertSame(st.region.ptr(), t.writePtr(), "writers still get the address");

        long before = st.version;
        view.written();
        assertFalse(st.fp32Stale, "an ordinary write makes the fp32 values current again");
        assertEquals(before + 1, st.version);
        assertTrue(st.shadowVersion < st.version, "and the bf16 copy old: the next product converts it again");
        assertSame(st.region.ptr(), t.ptr());
    }
}
