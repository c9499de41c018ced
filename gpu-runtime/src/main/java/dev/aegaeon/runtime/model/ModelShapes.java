package dev.aegaeon.runtime.model;

import java.util.List;

/**
 * Ready-made configs with the shapes of real checkpoints, for synthetic weights. EOS/BOS ids
 * follow {@link dev.aegaeon.runtime.tokenizer.SyntheticTokenizer} so a synthetic model written
 * with its tokenizer stops on {@code <|im_end|>}/{@code <|endoftext|>}.
 */
public final class ModelShapes {
    private ModelShapes() {}

    /** Qwen2.5-7B: 7.6 B parameters, about 15 GB in bf16. */
    public static ModelConfig qwen25_7b() {
        return new ModelConfig(ModelFamily.QWEN2, "Qwen2ForCausalLM", 152064, 3584, 18944, 28, 28, 4, 128,
                1e-6, 1_000_000.0, RopeScaling.NONE, 32768, false, syntheticEos(), null);
    }

    /** Qwen2.5-0.5B: 0.49 B parameters with tied embeddings, about 1 GB in bf16 (the demo model). */
    public static ModelConfig qwen25_05b() {
        return new ModelConfig(ModelFamily.QWEN2, "Qwen2ForCausalLM", 151936, 896, 4864, 24, 14, 2, 64,
                1e-6, 1_000_000.0, RopeScaling.NONE, 32768, true, syntheticEos(), null);
    }

    /**
     * A tiny model of the given family for tests: 2 layers, hidden 64, 4 heads over 2 KV heads
     * (Qwen3: head_dim 32, not hidden/heads), vocab 512 (covers the synthetic tokenizer).
     */
    public static ModelConfig tiny(ModelFamily family) {
        int headDim = family == ModelFamily.QWEN3 ? 32 : 16;
        return new ModelConfig(family, ModelConfigLoader.architectureOf(family), 512, 64, 128, 2, 4, 2, headDim,
                1e-6, 10_000.0, RopeScaling.NONE, 2048, family == ModelFamily.QWEN2, syntheticEos(), null);
    }

    private static List<Integer> syntheticEos() {
        return List.of(dev.aegaeon.runtime.tokenizer.SyntheticTokenizer.IM_END_ID,
                dev.aegaeon.runtime.tokenizer.SyntheticTokenizer.END_OF_TEXT_ID);
    }
}
