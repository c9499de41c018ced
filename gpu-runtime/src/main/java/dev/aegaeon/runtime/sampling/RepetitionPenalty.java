package dev.aegaeon.runtime.sampling;

/**
 * vLLM's (and HF's) {@code repetition_penalty}: every token that occurs in the prompt or the output
 * so far has a positive logit divided by the penalty and a non-positive one multiplied by it.
 */
public final class RepetitionPenalty {
    private RepetitionPenalty() {}

    public static void apply(float[] row, float penalty, TokenHistory history) {
        if (penalty == 1f) return;
        history.forEachSeen(id -> row[id] = row[id] > 0 ? row[id] / penalty : row[id] * penalty);
    }
}
