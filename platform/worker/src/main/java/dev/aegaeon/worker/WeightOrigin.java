package dev.aegaeon.worker;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the pool loads a model's weights from, once resolved to this machine: a local HF
 * directory or a synthetic shape. The user-facing {@code dev.aegaeon.functions.ModelSource} (which
 * may also name a Hub repository) is resolved to one of these by the platform; the pool opens it
 * as a {@link dev.aegaeon.runtime.weights.WeightSource}.
 */
public sealed interface WeightOrigin {

    /** An HF directory: config.json, safetensors (memory-mapped), optional tokenizer files. */
    record HfDirectory(Path path) implements WeightOrigin {
        public HfDirectory {
            Objects.requireNonNull(path, "path");
        }
    }

    /** Seeded synthetic weights of a named shape ({@link SyntheticShapes}), with the synthetic tokenizer. */
    record Synthetic(String shape, long seed) implements WeightOrigin {
        public Synthetic {
            Objects.requireNonNull(shape, "shape");
        }
    }
}
