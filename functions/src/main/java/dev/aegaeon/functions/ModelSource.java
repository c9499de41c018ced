package dev.aegaeon.functions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** Where a function's weights come from. */
public sealed interface ModelSource {

    /** A Hugging Face model directory (config.json, tokenizer.json, *.safetensors). */
    record HfDirectory(Path path) implements ModelSource {
        public HfDirectory {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * A model without real weights, for demos and benchmarks: {@code shape} names a preset the
     * engine knows (e.g. {@code echo} for the trivial engine, or a tiny architecture with seeded
     * random weights), {@code seed} makes its output reproducible and {@code tokenInterval} is the
     * time an engine without real compute spends per generated token.
     */
    record Synthetic(String shape, long seed, Duration tokenInterval) implements ModelSource {
        public static final Duration DEFAULT_TOKEN_INTERVAL = Duration.ofMillis(2);

        public Synthetic {
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(tokenInterval, "tokenInterval");
        }
    }
}
