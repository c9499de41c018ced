package dev.aegaeon.platform.models;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import dev.aegaeon.functions.ModelSource;
import dev.aegaeon.functions.SpecValidationException;
import dev.aegaeon.runtime.model.HfModel;
import dev.aegaeon.runtime.model.ModelLoadException;
import dev.aegaeon.worker.SyntheticShapes;

/**
 * Checks at registration that a function's model can load, so a model that cannot is refused
 * with the reason instead of registered to answer 503 forever: a synthetic shape must be one the
 * pool builds; a directory must hold a config we run, safetensors that match it (headers, tensor
 * names, shapes) and, where present, a loadable tokenizer and chat template. A hub model is checked
 * after its download (its function then shows FAILED with the reason).
 *
 * <p>Reasons name the path as the caller gave it and the file inside it, never another absolute
 * path or a file's content (parser messages, which may quote it, are reduced to their kind).
 */
public final class ModelSourceCheck {
    private ModelSourceCheck() {}

    /** The shape the trivial engine and the pool's {@code aegaeon.pool.echo-shape} stand for. */
    public static final String ECHO = "echo";

    /** @throws SpecValidationException naming the field and why the model cannot load */
    public static void check(ModelSource source) {
        switch (source) {
            case ModelSource.Synthetic s -> {
                if (s.shape().equals(ECHO)) return;
                try {
                    SyntheticShapes.config(s.shape());
                } catch (IllegalArgumentException e) {
                    throw new SpecValidationException("model.synthetic.shape", "unknown synthetic shape '" + s.shape()
                            + "'; known: " + ECHO + ", " + SyntheticShapes.KNOWN);
                }
            }
            case ModelSource.Hub h -> {
                // needs the download: checked when it is on disk
            }
            case ModelSource.HfDirectory hf -> checkDirectory(hf.path());
        }
    }

    /** The directory check alone; {@code given} is the path as the spec names it. */
    static void checkDirectory(Path given) {
        if (!Files.isDirectory(given))
            throw new SpecValidationException("model.path", "'" + given + "' is not a directory this server can read");
        if (!Files.isRegularFile(given.resolve("config.json")))
            throw new SpecValidationException("model.path", "'" + given + "' has no config.json: it is not a Hugging Face model directory");
        try (HfModel model = HfModel.open(given)) {
            // opened: config understood, weights match it, tokenizer and template load
        } catch (ModelLoadException e) {
            throw new SpecValidationException("model.path", "the model at '" + given + "' cannot be loaded: " + reason(e.getMessage(), given));
        } catch (RuntimeException e) {
            throw new SpecValidationException("model.path", "the model at '" + given + "' cannot be loaded: "
                    + e.getClass().getSimpleName().replace("Exception", "").toLowerCase(Locale.ROOT) + " error");
        }
    }

    /**
     * A loader's message made safe to show: paths reduced to names inside the model directory,
     * parser details (which may quote file content) cut, one line, bounded length.
     */
    static String reason(String message, Path given) {
        if (message == null) return "unreadable";
        String m = message;
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl);
        for (Path p : new Path[] {given.toAbsolutePath().normalize(), realPath(given), given}) {
            if (p == null) continue;
            String prefix = p.toString();
            if (prefix.isEmpty()) continue;
            m = m.replace(prefix + "/", "").replace(prefix, "the model directory");
        }
        int json = m.indexOf("not valid JSON");
        if (json >= 0) m = m.substring(0, json + "not valid JSON".length());
        int header = m.indexOf("cannot read");
        if (header >= 0) m = m.substring(0, header + "cannot read".length());
        m = m.replaceAll("/[^\\s'\"]+", "<path>"); // any other absolute path
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (Exception e) {
            return null;
        }
    }
}
