package dev.aegaeon.runtime.cli;

import dev.aegaeon.runtime.model.ModelConfig;
import java.nio.file.Path;
import java.util.Optional;

/** Adapts the model's tokenizer (when it has one) to {@link TextCodec}. */
final class Tokenizers {
    private Tokenizers() {}

    static Optional<TextCodec> open(Path modelDir) {
        return Optional.empty();
    }

    static Optional<TextCodec> synthetic(ModelConfig config) {
        return Optional.empty();
    }
}
