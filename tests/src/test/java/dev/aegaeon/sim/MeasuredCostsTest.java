package dev.aegaeon.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.aegaeon.scheduler.DistServeCostModel;

/** The measured H100 costs drive the simulator's cost model: its steps and loads come back close to what was measured. */
class MeasuredCostsTest {
    static final Path FILE = Path.of("bench/results/h100-measured-costs.json");

    @Test
    void theTableModelGivesBackTheMeasuredStepsAndLoad() throws Exception {
        MeasuredCosts m = MeasuredCosts.read(FILE);
        MeasuredTableCostModel cm = new MeasuredTableCostModel(m, CatalogModel.QWEN2_5_7B, m.hbmBytesPerSecond());
        assertEquals(0.276921, cm.loadSeconds("a", CatalogModel.QWEN2_5_7B.weightBytes()), 1e-9);
        // at the measured points, at 512 tokens of context per sequence
        assertEquals(8.31228e-3, cm.decodeStepSeconds("a", 1, 512), 1e-9);
        assertEquals(22.6973e-3, cm.decodeStepSeconds("a", 64, 64 * 512), 1e-9);
        assertEquals(93.8535e-3, cm.prefillSeconds("a", 1, 1024, 1024L * 1024), 1e-9);
        // between them, on the segment; more context costs its KV bytes at HBM speed
        assertEquals((13.6398e-3 + 17.9964e-3) / 2, cm.decodeStepSeconds("a", 20, 20 * 512), 1e-9);
        double longer = cm.decodeStepSeconds("a", 8, 8 * 4096) - cm.decodeStepSeconds("a", 8, 8 * 512);
        assertEquals(8.0 * 3584 * CatalogModel.QWEN2_5_7B.kvBytesPerToken() / 2992.89e9, longer, 1e-9);
        // beyond the table: the last segment extends (4,096 tokens, from 1,024 -> 2,048 slope)
        assertEquals(192.161e-3 + 2 * (192.161e-3 - 93.8535e-3), cm.prefillSeconds("a", 1, 4096, 4096L * 4096), 1e-9);
        long t = 1024;
        // and it is not the vLLM profile (which prefills 1,024 tokens in 25 ms)
        DistServeCostModel vllm = new CostModels(Profiles.bundled(), GpuKind.H100).forModels(Map.of("a", CatalogModel.QWEN2_5_7B));
        assertTrue(vllm.prefillSeconds("a", 1, t, t * t) < 0.6 * cm.prefillSeconds("a", 1, t, t * t));
        // the same points also fit the DistServe form (for comparison; not what e3 uses)
        DistServeCostModel fitted = new CostModels(m.profiles(), GpuKind.H100, m.loadBytesPerSecond(CatalogModel.QWEN2_5_7B))
                .forModels(Map.of("a", CatalogModel.QWEN2_5_7B));
        assertEquals(22.7e-3, fitted.decodeStepSeconds("a", 64, 64 * 512), 0.3 * 22.7e-3);
    }

    @Test
    void aBrokenFileIsAClearErrorNamingTheField(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("costs.json");
        Files.writeString(f, Files.readString(FILE).replace("\"load_s\": 0.276921", "\"load_s\": -1"));
        var e = assertThrows(IllegalArgumentException.class, () -> MeasuredCosts.read(f));
        assertTrue(e.getMessage().contains("load_s"), e.getMessage());
        Files.writeString(f, "{\"model\":\"qwen2_5_7b\",\"gpu\":\"H999\"}");
        e = assertThrows(IllegalArgumentException.class, () -> MeasuredCosts.read(f));
        assertTrue(e.getMessage().contains("gpu"), e.getMessage());
        Files.writeString(f, "not json");
        e = assertThrows(IllegalArgumentException.class, () -> MeasuredCosts.read(f));
        assertTrue(e.getMessage().contains("costs.json"), e.getMessage());
    }
}
