package dev.aegaeon.runtime.hub;

import java.util.Set;

/**
 * Which files of a repository a served model needs: its configs, tokenizer and chat template, and
 * safetensors weights (with their shard index). Never pickles ({@code .bin}, {@code .pth}), ONNX,
 * GGUF, or files in subfolders; those are other formats we neither load nor want on disk.
 */
public final class ModelFiles {
    private ModelFiles() {}

    private static final Set<String> NAMED = Set.of("config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "chat_template.json", "chat_template.jinja",
            "model.safetensors.index.json");

    public static boolean needed(String name) {
        if (name.contains("/") || name.contains("\\") || name.startsWith(".")) return false;
        return NAMED.contains(name) || name.endsWith(".safetensors");
    }
}
