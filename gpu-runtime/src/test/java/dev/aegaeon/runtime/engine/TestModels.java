package dev.aegaeon.runtime.engine;

import dev.aegaeon.runtime.backend.cpu.CpuBackend;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.model.RopeScaling;
import dev.aegaeon.runtime.weights.DType;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import java.util.List;

/** Small synthetic models covering every family switch, for engine tests. */
final class TestModels {
    private TestModels() {}

    static ModelConfig tiny(ModelFamily family) { return ModelShapes.tiny(family); }

    /** Llama with Llama 3.1 rope scaling, MQA (one KV head) and untied embeddings. */
    static ModelConfig llama3Mqa() {
        return new ModelConfig(ModelFamily.LLAMA, "LlamaForCausalLM", 300, 48, 96, 2, 4, 1, 12, 1e-5, 500_000.0,
                new RopeScaling.Llama3(8.0, 1.0, 4.0, 16), 2048, false, List.of(2), 1);
    }

    static InferenceEngine engine(ModelConfig config, DType dtype, int blockSize, int numBlocks) {
        SyntheticWeights weights = new SyntheticWeights(config, 7, dtype);
        return new InferenceEngine(config, weights, new CpuBackend(2), new EngineOptions(blockSize, numBlocks, null));
    }

    static int[] prompt(int length, int vocab, int salt) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) ids[i] = Math.floorMod(i * 37 + salt * 101 + 11, vocab);
        return ids;
    }
}
