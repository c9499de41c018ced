package dev.aegaeon.platform.registry;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** Where model directories may come from ({@code aegaeon.models.*}). */
@ConfigMapping(prefix = "aegaeon.models")
public interface ModelRootsConfig {
    /**
     * Directories under which a function's {@code model.path} must lie (comma-separated). Unset: the
     * data directory's {@code models/} and the Hugging Face hub cache ({@code $HF_HOME/hub}, else
     * {@code ~/.cache/huggingface/hub}).
     */
    Optional<List<Path>> roots();
}
