package dev.aegaeon.worker;

import dev.aegaeon.runtime.model.ModelConfig;
import dev.aegaeon.runtime.model.ModelFamily;
import dev.aegaeon.runtime.model.ModelShapes;
import java.util.Locale;

/** Names of the synthetic model shapes a pool can build (the runtime command line's names). */
public final class SyntheticShapes {
    private SyntheticShapes() {}

    public static final String KNOWN = "tiny-llama, tiny-mistral, tiny-qwen2, tiny-qwen3, qwen2.5-0.5b, qwen2.5-7b";

    /** @throws IllegalArgumentException naming the known shapes when {@code shape} is not one */
    public static ModelConfig config(String shape) {
        return switch (shape.toLowerCase(Locale.ROOT)) {
            case "tiny-llama" -> ModelShapes.tiny(ModelFamily.LLAMA);
            case "tiny-mistral" -> ModelShapes.tiny(ModelFamily.MISTRAL);
            case "tiny-qwen2" -> ModelShapes.tiny(ModelFamily.QWEN2);
            case "tiny-qwen3" -> ModelShapes.tiny(ModelFamily.QWEN3);
            case "qwen2.5-0.5b" -> ModelShapes.qwen25_05b();
            case "qwen2.5-7b" -> ModelShapes.qwen25_7b();
            default -> throw new IllegalArgumentException("unknown synthetic shape '" + shape + "'; known: " + KNOWN);
        };
    }
}
