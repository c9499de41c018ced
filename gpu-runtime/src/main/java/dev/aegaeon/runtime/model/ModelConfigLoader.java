package dev.aegaeon.runtime.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads HF {@code config.json} into a {@link ModelConfig}, following transformers' own defaults
 * for each family (so a config that transformers accepts and we support means the same model
 * here). Unsupported features (other RoPE types, biases on Llama, non-SiLU activations) are
 * refused with a message naming the file and the field rather than silently computed wrong.
 */
public final class ModelConfigLoader {
    private ModelConfigLoader() {}

    public static final String CONFIG_FILE = "config.json";

    /** HF architecture string -> family. */
    static final Map<String, ModelFamily> ARCHITECTURES = Map.of(
            "LlamaForCausalLM", ModelFamily.LLAMA,
            "MistralForCausalLM", ModelFamily.MISTRAL,
            "Qwen2ForCausalLM", ModelFamily.QWEN2,
            "Qwen3ForCausalLM", ModelFamily.QWEN3);

    /** HF model_type -> family. */
    static final Map<String, ModelFamily> MODEL_TYPES = Map.of(
            "llama", ModelFamily.LLAMA,
            "mistral", ModelFamily.MISTRAL,
            "qwen2", ModelFamily.QWEN2,
            "qwen3", ModelFamily.QWEN3);

    /** The HF architecture string we write for a family. */
    public static String architectureOf(ModelFamily family) {
        return ARCHITECTURES.entrySet().stream().filter(e -> e.getValue() == family)
                .map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    /** The HF model_type we write for a family. */
    public static String modelTypeOf(ModelFamily family) {
        return MODEL_TYPES.entrySet().stream().filter(e -> e.getValue() == family)
                .map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    /**
     * Loads {@code dir/config.json} and merges the EOS ids of {@code dir/generation_config.json}
     * (config's ids first, then the generation config's new ones).
     */
    public static ModelConfig load(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            throw new ModelConfigException("model directory " + modelDir + " does not exist or is not a directory");
        }
        ModelConfig config = parse(JsonFields.read(modelDir.resolve(CONFIG_FILE)));
        return withGenerationConfig(config, GenerationConfig.read(modelDir));
    }

    /** Parses the text of a config.json; {@code fileName} is used in error messages. */
    public static ModelConfig parse(String json, String fileName) {
        try {
            return parse(JsonFields.of(JsonFields.MAPPER.readTree(json), fileName));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new ModelConfigException(fileName + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static ModelConfig withGenerationConfig(ModelConfig c, GenerationConfig g) {
        LinkedHashSet<Integer> eos = new LinkedHashSet<>(c.eosTokenIds());
        eos.addAll(g.eosTokenIds());
        Integer bos = c.bosTokenId() != null ? c.bosTokenId() : g.bosTokenId();
        return new ModelConfig(c.family(), c.architecture(), c.vocabSize(), c.hiddenSize(), c.intermediateSize(),
                c.numLayers(), c.numHeads(), c.numKvHeads(), c.headDim(), c.rmsNormEps(), c.ropeTheta(),
                c.ropeScaling(), c.maxPositionEmbeddings(), c.tieWordEmbeddings(), new ArrayList<>(eos), bos);
    }

    static ModelConfig parse(JsonFields json) {
        String file = json.file();
        String architecture = chooseArchitecture(json);
        ModelFamily family = ARCHITECTURES.get(architecture);
        FamilyDefaults defaults = FamilyDefaults.of(family);

        int hidden = json.requireInt("hidden_size");
        int heads = json.requireInt("num_attention_heads");
        int kvHeads = json.intOr("num_key_value_heads", heads);
        int headDim = json.optInt("head_dim").orElseGet(() -> defaults.headDim(hidden, heads, file));
        refuseUnsupported(json, family);

        List<Integer> eos = json.present("eos_token_id") ? json.intOrIntList("eos_token_id") : defaults.eosIds();
        Integer bos = json.present("bos_token_id") ? json.optInt("bos_token_id").orElse(null) : defaults.bosId();
        try {
            return new ModelConfig(family, architecture,
                    json.requireInt("vocab_size"), hidden, json.requireInt("intermediate_size"),
                    json.requireInt("num_hidden_layers"), heads, kvHeads, headDim,
                    json.optDouble("rms_norm_eps").orElse(defaults.rmsNormEps()),
                    RopeConfig.theta(json), RopeConfig.scaling(json),
                    json.intOr("max_position_embeddings", defaults.maxPositionEmbeddings()),
                    json.optBoolean("tie_word_embeddings").orElse(defaults.tieWordEmbeddings()),
                    eos, bos);
        } catch (IllegalArgumentException e) {
            throw new ModelConfigException(file + ": " + e.getMessage(), e);
        }
    }

    private static String chooseArchitecture(JsonFields json) {
        Optional<com.fasterxml.jackson.databind.JsonNode> archs = json.get("architectures");
        List<String> listed = new ArrayList<>();
        if (archs.isPresent()) {
            if (!archs.get().isArray()) {
                throw new ModelConfigException(json.file() + ": field \"architectures\" must be a list of strings");
            }
            for (var a : archs.get()) {
                if (a.isTextual() && ARCHITECTURES.containsKey(a.textValue())) return a.textValue();
                listed.add(a.asText());
            }
        }
        if (listed.isEmpty()) {
            Optional<String> type = json.optString("model_type");
            if (type.isPresent() && MODEL_TYPES.containsKey(type.get())) return architectureOf(MODEL_TYPES.get(type.get()));
            throw unsupported(json.file(), "model_type " + type.map(t -> "\"" + t + "\"").orElse("(missing)")
                    + " and no \"architectures\"");
        }
        throw unsupported(json.file(), "architectures " + listed);
    }

    private static ModelConfigException unsupported(String file, String what) {
        String supported = ARCHITECTURES.keySet().stream().sorted().collect(Collectors.joining(", "));
        String types = MODEL_TYPES.keySet().stream().sorted().collect(Collectors.joining(", "));
        return new ModelConfigException(file + ": unsupported " + what + "; supported architectures: "
                + supported + " (model_type " + types + ")");
    }

    /** Config switches that would change the computation in ways the engine does not implement. */
    private static void refuseUnsupported(JsonFields json, ModelFamily family) {
        json.optString("hidden_act").ifPresent(act -> {
            if (!act.equals("silu")) {
                throw new ModelConfigException(json.file() + ": hidden_act \"" + act + "\" is not supported (only \"silu\")");
            }
        });
        if (!family.qkvBias() && json.optBoolean("attention_bias").orElse(false)) {
            throw new ModelConfigException(json.file() + ": attention_bias=true is not supported for " + family);
        }
        if (json.optBoolean("mlp_bias").orElse(false)) {
            throw new ModelConfigException(json.file() + ": mlp_bias=true is not supported");
        }
    }
}
