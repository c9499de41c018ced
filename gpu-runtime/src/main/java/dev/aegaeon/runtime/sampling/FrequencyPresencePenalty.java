package dev.aegaeon.runtime.sampling;

/**
 * OpenAI's {@code frequency_penalty} and {@code presence_penalty}, over generated tokens only:
 * {@code logit -= frequency * count + presence * (count > 0)}.
 */
public final class FrequencyPresencePenalty {
    private FrequencyPresencePenalty() {}

    public static void apply(float[] row, float frequency, float presence, TokenHistory history) {
        if (frequency == 0f && presence == 0f) return;
        history.forEachGenerated((id, count) -> row[id] -= frequency * count + presence);
    }
}
