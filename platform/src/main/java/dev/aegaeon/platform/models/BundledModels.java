package dev.aegaeon.platform.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * Models shipped inside the platform (resources under {@code aegaeon/models/<name>/}), installed
 * into the data directory's {@code models/} so they live where model paths are allowed. A file is
 * written only when missing or of another size (an upgrade), through a temporary file moved into
 * place, so a crash mid-copy never leaves a half-written file under its real name.
 */
public final class BundledModels {
    private BundledModels() {}

    /** The embedded demo's model: a small Llama trained on the King James Bible. */
    public static final String DEMO = "aegaeon-kjv-6m";

    /** The files of a bundled model; the weights and config are required, the card is not. */
    static final List<String> FILES = List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json", "chat_template.jinja", "README.md");
    private static final List<String> REQUIRED = List.of("config.json", "model.safetensors", "tokenizer.json");

    /**
     * Installs {@code name} under {@code modelsDir/name} if this build ships it.
     *
     * @return the model directory, or empty when the platform was built without that model
     */
    public static Optional<Path> install(String name, Path modelsDir) throws IOException {
        ClassLoader loader = BundledModels.class.getClassLoader();
        String base = "aegaeon/models/" + name + "/";
        for (String f : REQUIRED) if (loader.getResource(base + f) == null) return Optional.empty();
        Path dir = modelsDir.resolve(name);
        Files.createDirectories(dir);
        for (String f : FILES) {
            var url = loader.getResource(base + f);
            if (url == null) continue;
            long size = url.openConnection().getContentLengthLong();
            Path target = dir.resolve(f);
            if (Files.isRegularFile(target) && size >= 0 && Files.size(target) == size) continue;
            Path tmp = dir.resolve(f + ".installing");
            try (InputStream in = url.openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return Optional.of(dir);
    }
}
