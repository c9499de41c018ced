package dev.aegaeon.functions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/** Where a function's weights come from. */
public sealed interface ModelSource {

    /** A Hugging Face model directory (config.json, tokenizer.json, *.safetensors). */
    record HfDirectory(Path path) implements ModelSource {
        public HfDirectory {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * A model on a Hugging Face Hub-compatible endpoint, downloaded by the platform into its hub
     * cache before it is served. {@code repo} is {@code org/name}; {@code revision} a branch, tag or
     * commit. Both are checked here so that neither can form a path or URL outside the repository.
     */
    record Hub(String repo, String revision) implements ModelSource {
        public static final String DEFAULT_REVISION = "main";
        private static final Pattern REPO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
        private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,254}");

        public Hub {
            Objects.requireNonNull(repo, "repo");
            Objects.requireNonNull(revision, "revision");
            if (!REPO.matcher(repo).matches() || repo.contains(".."))
                throw new IllegalArgumentException("must be a Hub repository id 'org/name' (letters, digits, '.', '_', '-')");
            if (!REVISION.matcher(revision).matches() || revision.contains("..") || revision.endsWith("/"))
                throw new IllegalArgumentException("must be a branch, tag or commit (letters, digits, '.', '_', '-', '/')");
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
