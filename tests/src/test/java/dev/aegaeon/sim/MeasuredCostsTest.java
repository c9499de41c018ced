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
    void theFittedModelReproducesTheMeasuredStepsAndLoad() throws Exception {
        MeasuredCosts m = MeasuredCosts.read(FILE);
        CostModels costs = new CostModels(m.profiles(), GpuKind.H100, m.loadBytesPerSecond(CatalogModel.QWEN2_5_7B));
        DistServeCostModel cm = costs.forModels(Map.of("a", CatalogModel.QWEN2_5_7B));
        assertEquals(0.276921, cm.loadSeconds("a", CatalogModel.QWEN2_5_7B.weightBytes()), 1e-9);
        // decode at 512 tokens of context per sequence: 8.31 ms at batch 1, 22.7 ms at batch 64 (measured)
        assertEquals(8.31e-3, cm.decodeStepSeconds("a", 1, 512), 0.25 * 8.31e-3);
        assertEquals(22.7e-3, cm.decodeStepSeconds("a", 64, 64 * 512), 0.25 * 22.7e-3);
        long t = 1024;
        assertEquals(93.9e-3, cm.prefillSeconds("a", 1, t, t * t), 0.25 * 93.9e-3);
        // and it is not the vLLM profile (which prefills 1,024 tokens in 25 ms)
        DistServeCostModel vllm = new CostModels(Profiles.bundled(), GpuKind.H100).forModels(Map.of("a", CatalogModel.QWEN2_5_7B));
        assertTrue(vllm.prefillSeconds("a", 1, t, t * t) < 0.6 * cm.prefillSeconds("a", 1, t, t * t));
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
