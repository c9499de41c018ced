package dev.aegaeon.runtime.cli;

import dev.aegaeon.runtime.model.HfModel;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import dev.aegaeon.runtime.weights.SyntheticWeights;
import dev.aegaeon.runtime.weights.WeightSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A model named on the command line: an HF directory ({@code config.json}, safetensors,
 * optional tokenizer) or {@code synthetic:<shape>:<seed>} (seeded weights, no files).
 */
record LoadedModel(String description, ModelConfig config, WeightSource weights, Optional<TextCodec> tokenizer)
        implements AutoCloseable {

    static final String SYNTHETIC_SHAPES = "qwen2.5-0.5b, qwen2.5-7b, tiny-llama, tiny-mistral, tiny-qwen2, tiny-qwen3";

    static LoadedModel open(String spec) {
        if (spec.startsWith("synthetic:")) return synthetic(spec);
        Path dir = Path.of(spec);
        if (!Files.exists(dir)) throw new IllegalArgumentException("model directory " + dir + " does not exist");
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("model path " + dir + " is not a directory");
        HfModel model = HfModel.open(dir); // config with generation_config EOS ids, weights checked against it
        Optional<TextCodec> tokenizer = model.tokenizer().map(t -> Tokenizers.codec(t, model.chatTemplate(), dir.toString()));
        return new LoadedModel(dir.toString(), model.config(), model.weights(), tokenizer);
    }

    private static LoadedModel synthetic(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("synthetic models are named synthetic:<shape>[:<seed>], got '" + spec + "'");
        }
        ModelConfig config = switch (parts[1].toLowerCase(Locale.ROOT)) {
            case "qwen2.5-0.5b" -> ModelShapes.qwen25_05b();
            case "qwen2.5-7b" -> ModelShapes.qwen25_7b();
            case "tiny-llama" -> ModelShapes.tiny(ModelFamily.LLAMA);
            case "tiny-mistral" -> ModelShapes.tiny(ModelFamily.MISTRAL);
            case "tiny-qwen2" -> ModelShapes.tiny(ModelFamily.QWEN2);
            case "tiny-qwen3" -> ModelShapes.tiny(ModelFamily.QWEN3);
            default -> throw new IllegalArgumentException("unknown synthetic shape '" + parts[1] + "'; known: " + SYNTHETIC_SHAPES);
        };
        long seed;
        try {
            seed = parts.length == 3 ? Long.parseLong(parts[2]) : 0L;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("synthetic seed must be an integer, got '" + parts[2] + "'");
        }
        return new LoadedModel(spec, config, new SyntheticWeights(config, seed), Tokenizers.synthetic(config));
    }

    @Override
    public void close() {
        tokenizer.ifPresent(TextCodec::close);
        weights.close();
    }
}
