package dev.aegaeon.platform.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.ModelSource;
import dev.aegaeon.functions.SpecValidationException;

/**
 * The directories model files may be read from. A function's model path is accepted only when its
 * real path (every symbolic link resolved) lies inside the real path of one of the roots, so a
 * registration cannot make the server parse, render or map any other file it can read. A refusal
 * says the same for a path outside the roots, a missing one and an unreadable one: it does not tell
 * what exists on the server.
 */
public final class ModelRoots {
    static final String RULE = "must be an existing model directory inside the configured model roots (aegaeon.models.roots)";

    private final List<Path> roots;

    public ModelRoots(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    /** The configured roots, else the data directory's {@code models/} and the Hugging Face hub cache. */
    public static ModelRoots of(Optional<List<Path>> configured, Path dataDir) {
        if (configured.isPresent() && !configured.get().isEmpty()) return new ModelRoots(configured.get());
        List<Path> defaults = new ArrayList<>();
        defaults.add(dataDir.resolve("models"));
        String hfHome = System.getenv("HF_HOME");
        defaults.add(hfHome != null && !hfHome.isBlank() ? Path.of(hfHome, "hub")
                : Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub"));
        return new ModelRoots(defaults);
    }

    public List<Path> roots() {
        return roots;
    }

    /**
     * @throws SpecValidationException on {@code model.path} when the spec's model directory is not inside a root
     */
    public void check(FunctionSpec spec) {
        if (!(spec.model() instanceof ModelSource.HfDirectory hf)) return;
        Path real;
        try {
            real = hf.path().toRealPath();
        } catch (IOException | RuntimeException e) { // missing, unreadable, or not a path this file system takes
            throw new SpecValidationException("model.path", RULE);
        }
        for (Path root : roots) {
            try {
                if (real.startsWith(root.toRealPath())) return;
            } catch (IOException | RuntimeException e) {
                // a root that does not exist (yet) holds nothing
            }
        }
        throw new SpecValidationException("model.path", RULE);
    }
}
