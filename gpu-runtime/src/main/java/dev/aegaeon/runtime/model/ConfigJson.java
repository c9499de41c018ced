package dev.aegaeon.runtime.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aegaeon.runtime.weights.DType;

import java.util.List;

/**
 * Renders a {@link ModelConfig} as HF's config.json and generation_config.json, with exactly the
 * field names transformers' config classes use, so AutoConfig and {@link ModelConfigLoader} both
 * read back the same model. RoPE is written in the transformers 4.x spelling (top-level
 * rope_theta, rope_scaling with rope_type), which transformers 5 converts on load.
 */
public final class ConfigJson {
    private ConfigJson() {}

    public static ObjectNode config(ModelConfig c, DType dtype) {
        ObjectNode n = JsonFields.MAPPER.createObjectNode();
        n.putArray("architectures").add(c.architecture());
        n.put("attention_dropout", 0.0);
        putIds(n, "bos_token_id", c.bosTokenId() == null ? List.of() : List.of(c.bosTokenId()));
        putIds(n, "eos_token_id", c.eosTokenIds());
        n.put("head_dim", c.headDim());
        n.put("hidden_act", "silu");
        n.put("hidden_size", c.hiddenSize());
        n.put("initializer_range", 0.02);
        n.put("intermediate_size", c.intermediateSize());
        n.put("max_position_embeddings", c.maxPositionEmbeddings());
        n.put("model_type", ModelConfigLoader.modelTypeOf(c.family()));
        n.put("num_attention_heads", c.numHeads());
        n.put("num_hidden_layers", c.numLayers());
        n.put("num_key_value_heads", c.numKvHeads());
        n.put("rms_norm_eps", c.rmsNormEps());
        switch (c.ropeScaling()) {
            case RopeScaling.None ignored -> n.putNull("rope_scaling");
            case RopeScaling.Llama3 l -> {
                ObjectNode r = n.putObject("rope_scaling");
                r.put("factor", l.factor());
                r.put("high_freq_factor", l.highFreqFactor());
                r.put("low_freq_factor", l.lowFreqFactor());
                r.put("original_max_position_embeddings", l.originalMaxPositionEmbeddings());
                r.put("rope_type", "llama3");
            }
        }
        n.put("rope_theta", c.ropeTheta());
        n.put("tie_word_embeddings", c.tieWordEmbeddings());
        n.put("torch_dtype", torchDtype(dtype));
        n.put("use_cache", true);
        n.put("vocab_size", c.vocabSize());
        switch (c.family()) {
            case LLAMA -> {
                n.put("attention_bias", false);
                n.put("mlp_bias", false);
                n.put("pretraining_tp", 1);
            }
            case MISTRAL -> n.putNull("sliding_window");
            case QWEN2, QWEN3 -> {
                if (c.family() == ModelFamily.QWEN3) n.put("attention_bias", false);
                n.put("max_window_layers", c.numLayers());
                n.putNull("sliding_window");
                n.put("use_sliding_window", false);
            }
        }
        return n;
    }

    public static ObjectNode generationConfig(ModelConfig c) {
        ObjectNode n = JsonFields.MAPPER.createObjectNode();
        putIds(n, "bos_token_id", c.bosTokenId() == null ? List.of() : List.of(c.bosTokenId()));
        putIds(n, "eos_token_id", c.eosTokenIds());
        return n;
    }

    /** The torch dtype name HF writes for a storage type. */
    public static String torchDtype(DType dtype) {
        return switch (dtype) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            case F32 -> "float32";
        };
    }

    /** HF writes one id as an int, several as a list, none as null. */
    private static void putIds(ObjectNode n, String field, List<Integer> ids) {
        if (ids.isEmpty()) n.putNull(field);
        else if (ids.size() == 1) n.put(field, ids.getFirst());
        else ids.forEach(n.putArray(field)::add);
    }
}
