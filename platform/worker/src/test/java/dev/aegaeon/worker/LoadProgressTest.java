package dev.aegaeon.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.engine.EngineOptions;
import dev.aegaeon.runtime.engine.InferenceEngine;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadProgressTest {
    @Test
    void aLoadCountsEveryTensorOnceAndEndsAtOneHundredPercent() {
        ModelConfig config = ModelShapes.tiny(ModelFamily.LLAMA);
        try (CpuBackend backend = new CpuBackend(); SyntheticWeights weights = new SyntheticWeights(config, 5)) {
            LoadProgress p = new LoadProgress("m", LoadProgress.Phase.LOAD, 0, ProgressWeights.totalBytes(weights));
            assertEquals(0, p.snapshot().percent());
            try (InferenceEngine e = new InferenceEngine(config, new ProgressWeights(weights, p), backend, new EngineOptions(16, 8, null))) {
                LoadProgress.Snapshot s = p.snapshot();
                assertTrue(s.totalBytes() > 0);
                assertEquals(s.totalBytes(), s.doneBytes(), "every tensor once");
                assertEquals(100.0, s.percent());
                assertTrue(p.describe().startsWith("loading m onto device 0: 100% ("), p.describe());
            }
        }
    }

    @Test
    void aDownloadShowsInTheFunctionsTransfersUntilClosed() throws Exception {
        try (ModelPool pool = new ModelPool(Reference.options())) {
            pool.register(Reference.synthetic("d", "tiny-llama", 1));
            assertEquals(List.of(), pool.loadProgress("d"));
            try (ModelPool.Download dl = pool.trackDownload("d", 1000, 100)) {
                dl.progress().advance(150);
                LoadProgress.Snapshot s = pool.loadProgress("d").getFirst();
                assertEquals(LoadProgress.Phase.DOWNLOAD, s.phase());
                assertEquals(25.0, s.percent(), "the bytes already present count towards the percent");
                assertEquals(250, s.doneBytes());
                assertTrue(s.bytesPerSecond() <= 150 / s.seconds() * 1.0001, "but not towards the rate");
                assertEquals(-1, s.device());
            }
            assertEquals(List.of(), pool.loadProgress("d"));
        }
    }
}
