package dev.aegaeon.sim;

import dev.aegaeon.scheduler.DistServeCostModel;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CostModelFitTest {
    private final Profiles profiles = Profiles.bundled();

    @Test
    void fitTracksTheVllmProfilesOfQwen7bOnH100() {
        var cm = new CostModels(profiles, GpuKind.H100).forModels(Map.of("q", CatalogModel.QWEN2_5_7B));
        double relErr = 0;
        int n = 0;
        for (var p : CostModels.clean(profiles.points("qwen2_5_7b", GpuKind.H100))) {
            if (p.decodeSeconds() == 0) continue;
            double predicted = cm.decodeStepSeconds("q", p.batch(), (long) p.batch() * p.inputLen());
            relErr += Math.abs(predicted - p.decodeSeconds()) / p.decodeSeconds();
            n++;
        }
        assertTrue(n > 80, "all but the outlier kept");
        assertTrue(relErr / n < 0.10, "mean relative decode error " + relErr / n);
        // DESIGN.md section 4: prefill of 1,024 tokens is 25.0 ms on vLLM.
        assertEquals(0.025, cm.prefillSeconds("q", 1, 1024, 1024L * 1024), 0.006);
    }

    @Test
    void loadTimeIsBytesOverBandwidth() {
        var cm = new CostModels(profiles, GpuKind.H100).forModels(Map.of("q", CatalogModel.QWEN2_5_7B, "big", CatalogModel.QWEN2_5_72B));
        assertEquals(15.24e9 / 54.8e9, cm.loadSeconds("q", CatalogModel.QWEN2_5_7B.weightBytes()), 1e-9);
        assertEquals(145.4e9 / (4 * 54.8e9), cm.loadSeconds("big", CatalogModel.QWEN2_5_72B.weightBytes()), 1e-9);
    }

    @Test
    void unknownModelAndBadProfilesAreClearErrors() {
        var cm = new DistServeCostModel(1e9, 1e9);
        assertThrows(IllegalArgumentException.class, () -> cm.decodeStepSeconds("nope", 1, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> Profiles.parse(java.util.List.of("a,H100,x,1,2,3")));
        assertTrue(e.getMessage().contains("line 1"));
    }
}
