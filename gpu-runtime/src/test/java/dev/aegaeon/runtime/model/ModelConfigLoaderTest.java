package dev.aegaeon.runtime.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ModelConfigLoaderTest {

    /** Qwen2.5-0.5B-Instruct's config.json as published. */
    static final String QWEN25_05B = """
            {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
             "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
             "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 21,
             "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24,
             "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
             "sliding_window": 32768, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
             "transformers_version": "4.43.1", "use_cache": true, "use_sliding_window": false,
             "vocab_size": 151936}
            """;

    /** Llama-3.1-8B-Instruct's config.json as published. */
    static final String LLAMA31_8B = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
             "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "hidden_act": "silu",
             "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336,
             "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
             "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
             "pretraining_tp": 1, "rms_norm_eps": 1e-05,
             "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                              "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
             "transformers_version": "4.42.3", "use_cache": true, "vocab_size": 128256}
            """;

    /** Qwen3-0.6B's config.json as published: explicit head_dim 128 although 1024/16 = 64. */
    static final String QWEN3_06B = """
            {"architectures": ["Qwen3ForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
             "bos_token_id": 151643, "eos_token_id": 151645, "head_dim": 128, "hidden_act": "silu",
             "hidden_size": 1024, "initializer_range": 0.02, "intermediate_size": 3072,
             "max_position_embeddings": 40960, "max_window_layers": 28, "model_type": "qwen3",
             "num_attention_heads": 16, "num_hidden_layers": 28, "num_key_value_heads": 8,
             "rms_norm_eps": 1e-06, "rope_scaling": null, "rope_theta": 1000000, "sliding_window": null,
             "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.51.0",
             "use_cache": true, "use_sliding_window": false, "vocab_size": 151936}
            """;

    /** Mistral-7B-Instruct-v0.3's config.json as published (no num_key_value_heads default needed). */
    static final String MISTRAL_7B = """
            {"architectures": ["MistralForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 1,
             "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
             "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mistral",
             "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
             "rms_norm_eps": 1e-05, "rope_theta": 1000000.0, "sliding_window": null,
             "tie_word_embeddings": false, "torch_dtype": "bfloat16", "transformers_version": "4.42.0.dev0",
             "use_cache": true, "vocab_size": 32768}
            """;

    @Test
    void readsQwen25() {
        ModelConfig c = ModelConfigLoader.parse(QWEN25_05B, "config.json");
        assertEquals(ModelFamily.QWEN2, c.family());
        assertEquals("Qwen2ForCausalLM", c.architecture());
        assertEquals(151936, c.vocabSize());
        assertEquals(896, c.hiddenSize());
        assertEquals(4864, c.intermediateSize());
        assertEquals(24, c.numLayers());
        assertEquals(14, c.numHeads());
        assertEquals(2, c.numKvHeads());
        assertEquals(64, c.headDim());
        assertEquals(1e-6, c.rmsNormEps());
        assertEquals(1e6, c.ropeTheta());
        assertEquals(RopeScaling.NONE, c.ropeScaling());
        assertTrue(c.tieWordEmbeddings());
        assertEquals(List.of(151645), c.eosTokenIds());
        assertEquals(151643, c.bosTokenId());
        assertEquals(494_032_768L, c.parameterCount(), "Qwen2.5-0.5B has 0.49B parameters");
    }

    @Test
    void readsLlama31RopeScalingAndEosList() {
        ModelConfig c = ModelConfigLoader.parse(LLAMA31_8B, "config.json");
        assertEquals(ModelFamily.LLAMA, c.family());
        assertEquals(new RopeScaling.Llama3(8.0, 1.0, 4.0, 8192), c.ropeScaling());
        assertEquals(500000.0, c.ropeTheta());
        assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
        assertEquals(128, c.headDim());
        assertEquals(4, c.groupSize());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(1e-5, c.rmsNormEps());
    }

    @Test
    void readsQwen3ExplicitHeadDim() {
        ModelConfig c = ModelConfigLoader.parse(QWEN3_06B, "config.json");
        assertEquals(ModelFamily.QWEN3, c.family());
        assertEquals(128, c.headDim());
        assertEquals(16 * 128, c.qSize());
        assertTrue(c.tieWordEmbeddings());
    }

    @Test
    void readsMistral() {
        ModelConfig c = ModelConfigLoader.parse(MISTRAL_7B, "config.json");
        assertEquals(ModelFamily.MISTRAL, c.family());
        assertEquals(List.of(2), c.eosTokenIds());
        assertEquals(1e6, c.ropeTheta());
    }

    @Test
    void transformers5RopeParametersOnly() {
        String json = """
                {"model_type": "llama", "vocab_size": 100, "hidden_size": 64, "intermediate_size": 128,
                 "num_hidden_layers": 2, "num_attention_heads": 4,
                 "rope_parameters": {"rope_theta": 500000.0, "rope_type": "llama3", "factor": 8.0,
                   "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}
                """;
        ModelConfig c = ModelConfigLoader.parse(json, "config.json");
        assertEquals(500000.0, c.ropeTheta());
        assertEquals(new RopeScaling.Llama3(8.0, 1.0, 4.0, 8192), c.ropeScaling());
        assertEquals(4, c.numKvHeads(), "num_key_value_heads defaults to num_attention_heads");
        assertEquals("LlamaForCausalLM", c.architecture(), "model_type chooses the family when architectures is absent");
        assertEquals(List.of(2), c.eosTokenIds(), "LlamaConfig's default eos_token_id");
    }

    @Test
    void ropeThetaInsideRopeScalingAndDefaultType() {
        String json = base("\"rope_scaling\": {\"rope_type\": \"default\", \"rope_theta\": 1234.0}");
        ModelConfig c = ModelConfigLoader.parse(json, "config.json");
        assertEquals(1234.0, c.ropeTheta());
        assertEquals(RopeScaling.NONE, c.ropeScaling());
        ModelConfig none = ModelConfigLoader.parse(base("\"rope_theta\": 77.0, \"rope_parameters\": {\"rope_type\": \"default\"}"), "config.json");
        assertEquals(77.0, none.ropeTheta(), "top-level theta when rope_parameters has none");
        assertEquals(10000.0, ModelConfigLoader.parse(base("\"x\": 1"), "c").ropeTheta(), "HF default theta");
    }

    @Test
    void mqaAndExplicitHeadDimOnLlama() {
        ModelConfig c = ModelConfigLoader.parse(base("\"num_key_value_heads\": 1, \"head_dim\": 32"), "config.json");
        assertEquals(1, c.numKvHeads());
        assertEquals(32, c.headDim());
        assertEquals(4, c.groupSize());
    }

    @Test
    void legacyTypeKeyForLlama3() {
        String json = base("\"rope_scaling\": {\"type\": \"llama3\", \"factor\": 32.0, \"low_freq_factor\": 1.0,"
                + " \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192}");
        assertEquals(new RopeScaling.Llama3(32.0, 1.0, 4.0, 8192), ModelConfigLoader.parse(json, "c").ropeScaling());
    }

    @Test
    void unsupportedArchitectureNamesTheSupportedOnes() {
        String json = base("\"x\": 1").replace("\"model_type\": \"llama\"", "\"architectures\": [\"GPT2LMHeadModel\"]");
        var e = assertThrows(ModelConfigException.class, () -> ModelConfigLoader.parse(json, "/m/config.json"));
        assertTrue(e.getMessage().contains("GPT2LMHeadModel"), e.getMessage());
        for (String s : List.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM", "/m/config.json")) {
            assertTrue(e.getMessage().contains(s), e.getMessage());
        }
        var e2 = assertThrows(ModelConfigException.class,
                () -> ModelConfigLoader.parse(base("\"x\": 1").replace("\"llama\"", "\"gpt2\""), "c"));
        assertTrue(e2.getMessage().contains("\"gpt2\"") && e2.getMessage().contains("qwen3"), e2.getMessage());
    }

    @Test
    void unsupportedRopeTypeIsRefused() {
        var e = assertThrows(ModelConfigException.class, () -> ModelConfigLoader.parse(
                base("\"rope_scaling\": {\"type\": \"yarn\", \"factor\": 4.0}"), "config.json"));
        assertTrue(e.getMessage().contains("yarn") && e.getMessage().contains("llama3"), e.getMessage());
    }

    @Test
    void missingFieldsAreNamed() {
        var e = assertThrows(ModelConfigException.class, () -> ModelConfigLoader.parse(
                "{\"model_type\": \"qwen2\", \"hidden_size\": 64, \"num_attention_heads\": 4}", "/d/config.json"));
        assertTrue(e.getMessage().contains("/d/config.json") && e.getMessage().contains("\"vocab_size\""), e.getMessage());
        var llama3 = assertThrows(ModelConfigException.class, () -> ModelConfigLoader.parse(
                base("\"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0}"), "config.json"));
        assertTrue(llama3.getMessage().contains("low_freq_factor"), llama3.getMessage());
    }

    @Test
    void wrongTypesAndInvalidValuesAreClearErrors() {
        var e = assertThrows(ModelConfigException.class,
                () -> ModelConfigLoader.parse(base("\"x\": 1").replace("\"hidden_size\": 64", "\"hidden_size\": \"big\""), "c.json"));
        assertTrue(e.getMessage().contains("hidden_size") && e.getMessage().contains("integer"), e.getMessage());
        var gqa = assertThrows(ModelConfigException.class,
                () -> ModelConfigLoader.parse(base("\"num_key_value_heads\": 3"), "c.json"));
        assertTrue(gqa.getMessage().contains("c.json") && gqa.getMessage().contains("num_key_value_heads"), gqa.getMessage());
        var notJson = assertThrows(ModelConfigException.class, () -> ModelConfigLoader.parse("{\"a\": ", "c.json"));
        assertTrue(notJson.getMessage().contains("not valid JSON"), notJson.getMessage());
        var bias = assertThrows(ModelConfigException.class, () -> ModelConfigLoader.parse(base("\"attention_bias\": true"), "c.json"));
        assertTrue(bias.getMessage().contains("attention_bias"), bias.getMessage());
    }

    @Test
    void loadMergesGenerationConfigEos(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), QWEN25_05B);
        Files.writeString(dir.resolve("generation_config.json"),
                "{\"bos_token_id\": 151643, \"eos_token_id\": [151645, 151643], \"do_sample\": true}");
        ModelConfig c = ModelConfigLoader.load(dir);
        assertEquals(List.of(151645, 151643), c.eosTokenIds());
    }

    @Test
    void badGenerationConfigIsNamed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), QWEN25_05B);
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": \"</s>\"}");
        var e = assertThrows(ModelConfigException.class, () -> ModelConfigLoader.load(dir));
        assertTrue(e.getMessage().contains("generation_config.json") && e.getMessage().contains("eos_token_id"), e.getMessage());
        Files.writeString(dir.resolve("generation_config.json"), "{");
        var e2 = assertThrows(ModelConfigException.class, () -> ModelConfigLoader.load(dir));
        assertTrue(e2.getMessage().contains("generation_config.json") && e2.getMessage().contains("not valid JSON"), e2.getMessage());
    }

    @Test
    void explicitNullIdsOverrideFamilyDefaults() {
        ModelConfig c = ModelConfigLoader.parse(base("\"bos_token_id\": null, \"eos_token_id\": null"), "c");
        assertNull(c.bosTokenId());
        assertEquals(List.of(), c.eosTokenIds());
    }

    @Test
    void loadReportsMissingDirectoryAndFile(@TempDir Path dir) {
        var noDir = assertThrows(ModelConfigException.class, () -> ModelConfigLoader.load(dir.resolve("nope")));
        assertTrue(noDir.getMessage().contains("nope"), noDir.getMessage());
        var noFile = assertThrows(ModelConfigException.class, () -> ModelConfigLoader.load(dir));
        assertTrue(noFile.getMessage().contains("config.json"), noFile.getMessage());
    }

    private static String base(String extra) {
        return "{\"model_type\": \"llama\", \"vocab_size\": 100, \"hidden_size\": 64, \"intermediate_size\": 128,"
                + " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, " + extra + "}";
    }
}
