package dev.aegaeon.runtime.model;

import dev.aegaeon.runtime.tokenizer.ChatTemplate;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import dev.aegaeon.runtime.weights.RequiredTensors;
import dev.aegaeon.runtime.weights.SafetensorsDirectory;
import dev.aegaeon.runtime.weights.WeightSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An opened HF model directory: its config (EOS ids merged from generation_config.json),
 * memory-mapped weights already checked against the config, and the tokenizer and chat template
 * when the directory has them. Closing releases the mapping and the native tokenizer.
 */
public record HfModel(Path directory, ModelConfig config, WeightSource weights,
                      Optional<TextTokenizer> tokenizer, Optional<ChatTemplate> chatTemplate) implements AutoCloseable {

    /**
     * @throws ModelLoadException (a subclass naming the file and field or tensor) for a missing
     *                            directory, an unsupported or invalid config, corrupt or
     *                            incomplete weights, or an unloadable tokenizer
     */
    public static HfModel open(Path dir) {
        ModelConfig config = ModelConfigLoader.load(dir);
        SafetensorsDirectory weights = SafetensorsDirectory.open(dir);
        TextTokenizer tokenizer = null;
        try {
            RequiredTensors.check(config, weights);
            if (Files.isRegularFile(dir.resolve(TextTokenizer.FILE_NAME))) tokenizer = TextTokenizer.load(dir);
            return new HfModel(dir, config, weights, Optional.ofNullable(tokenizer), ChatTemplate.load(dir));
        } catch (RuntimeException e) {
            if (tokenizer != null) tokenizer.close();
            weights.close();
            throw e;
        }
    }

    @Override
    public void close() {
        tokenizer.ifPresent(TextTokenizer::close);
        weights.close();
    }
}
