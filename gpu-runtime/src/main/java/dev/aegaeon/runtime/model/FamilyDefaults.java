package dev.aegaeon.runtime.model;

import java.util.List;

/**
 * transformers' constructor defaults per family (LlamaConfig, MistralConfig, Qwen2Config,
 * Qwen3Config), used when config.json omits a field.
 */
record FamilyDefaults(double rmsNormEps, int maxPositionEmbeddings, boolean tieWordEmbeddings,
                      Integer fixedHeadDim, List<Integer> eosIds, Integer bosId) {

    static FamilyDefaults of(ModelFamily family) {
        return switch (family) {
            case LLAMA -> new FamilyDefaults(1e-6, 2048, false, null, List.of(2), 1);
            case MISTRAL -> new FamilyDefaults(1e-6, 4096 * 32, false, null, List.of(2), 1);
            case QWEN2 -> new FamilyDefaults(1e-6, 32768, false, null, List.of(), null);
            // Qwen3Config's head_dim defaults to 128 rather than hidden/heads.
            case QWEN3 -> new FamilyDefaults(1e-6, 32768, false, 128, List.of(), null);
        };
    }

    int headDim(int hidden, int heads, String file) {
        if (fixedHeadDim != null) return fixedHeadDim;
        if (heads <= 0 || hidden % heads != 0) {
            throw new ModelConfigException(file + ": hidden_size " + hidden + " is not divisible by num_attention_heads "
                    + heads + " and no head_dim is given");
        }
        return hidden / heads;
    }
}
