package dev.aegaeon.worker;

import dev.aegaeon.runtime.model.GenerationConfig;
import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelConfigLoader;
import dev.aegaeon.runtime.tokenizer.ChatTemplate;
import dev.aegaeon.runtime.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What a function's weight source gives before any engine exists: the model's configuration (with
 * its generation config), its tokenizer and chat template where it has them, and the bytes of its
 * weights. A synthetic model borrows the pool's synthetic tokenizer when that fits its vocabulary.
 *
 * @param weightBytes bytes of the weights as stored (safetensors files), or as a synthetic model would hold them
 */
record SourceFiles(ModelConfig config, Optional<TextTokenizer> tokenizer, Optional<ChatTemplate> template, long weightBytes) {

    /**
     * Reads {@code f}'s source.
     *
     * @param syntheticTokenizer the pool's synthetic tokenizer files, or null where they cannot load
     * @throws IllegalArgumentException naming the problem when the source cannot be used
     */
    static SourceFiles read(ModelFunction f, Supplier<SyntheticTokenizerFiles> syntheticTokenizer) {
        return switch (f.source()) {
            case WeightOrigin.Synthetic s -> {
                ModelConfig config = SyntheticShapes.config(s.shape());
                SyntheticTokenizerFiles files = syntheticTokenizer.get();
                boolean fits = files != null && files.vocabSize() <= config.vocabSize();
                yield new SourceFiles(config, fits ? Optional.of(files.tokenizer()) : Optional.empty(),
                        fits ? files.template() : Optional.empty(), ModelSizes.syntheticWeightBytes(f.name(), config));
            }
            case WeightOrigin.HfDirectory hf -> {
                Path dir = hf.path();
                if (!Files.isDirectory(dir)) throw new IllegalArgumentException("model directory " + dir + " does not exist");
                ModelConfig config = ModelConfigLoader.withGenerationConfig(ModelConfigLoader.load(dir), GenerationConfig.read(dir));
                Optional<TextTokenizer> tokenizer = Files.isRegularFile(dir.resolve(TextTokenizer.FILE_NAME))
                        ? Optional.of(TextTokenizer.load(dir)) : Optional.empty();
                yield new SourceFiles(config, tokenizer, ChatTemplate.load(dir), safetensorsBytes(dir));
            }
        };
    }

    private static long safetensorsBytes(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            long total = 0;
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList()) total += Files.size(p);
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
