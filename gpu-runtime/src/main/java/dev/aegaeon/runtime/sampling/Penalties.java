package dev.aegaeon.runtime.sampling;

/**
 * vLLM's three penalties. {@code presence} and {@code frequency} (OpenAI, in [-2, 2]) look at the
 * generated tokens only; {@code repetition} (HF/vLLM, > 0, 1 = off) looks at prompt and generated
 * tokens.
 */
public record Penalties(float presence, float frequency, float repetition) {
    public static final Penalties NONE = new Penalties(0f, 0f, 1f);

    public Penalties {
        if (!(presence >= -2f && presence <= 2f)) throw new IllegalArgumentException("presence_penalty must be in [-2, 2], got " + presence);
        if (!(frequency >= -2f && frequency <= 2f)) throw new IllegalArgumentException("frequency_penalty must be in [-2, 2], got " + frequency);
        if (!(repetition > 0f) || Float.isInfinite(repetition)) throw new IllegalArgumentException("repetition_penalty must be > 0, got " + repetition);
    }

    public boolean active() { return presence != 0f || frequency != 0f || repetition != 1f; }
}
