package dev.aegaeon.runtime.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The parts of HF {@code generation_config.json} the runtime uses. Absent file or fields mean
 * "no extra information" (empty list / null), never an error.
 *
 * @param eosTokenIds ids that end generation (HF allows an int or a list)
 * @param bosTokenId  beginning-of-sequence id, or null
 */
public record GenerationConfig(List<Integer> eosTokenIds, Integer bosTokenId) {

    public static final String FILE_NAME = "generation_config.json";

    public static final GenerationConfig EMPTY = new GenerationConfig(List.of(), null);

    public GenerationConfig {
        eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
    }

    /** Reads {@code dir/generation_config.json}; {@link #EMPTY} when the file does not exist. */
    public static GenerationConfig read(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) return EMPTY;
        JsonFields json = JsonFields.read(file);
        return new GenerationConfig(json.intOrIntList("eos_token_id"), json.optInt("bos_token_id").orElse(null));
    }
}
