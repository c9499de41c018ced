package dev.aegaeon.worker;

import java.nio.file.Path;
import java.util.Objects;

/** Where a pooled model's weights come from. */
public sealed interface ModelSource {

    /** An HF directory: config.json, safetensors (memory-mapped), optional tokenizer files. */
    record HfDirectory(Path path) implements ModelSource {
        public HfDirectory {
            Objects.requireNonNull(path, "path");
        }
    }

    /** Seeded synthetic weights of a named shape ({@link SyntheticShapes}), with the synthetic tokenizer. */
    record Synthetic(String shape, long seed) implements ModelSource {
        public Synthetic {
            Objects.requireNonNull(shape, "shape");
        }
    }
}
