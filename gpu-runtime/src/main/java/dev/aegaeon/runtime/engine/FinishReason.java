package dev.aegaeon.runtime.engine;

/**
 * Why a sequence stopped, the one vocabulary of every module. {@link #openAiName()} is the value of
 * OpenAI's {@code finish_reason}.
 */
public enum FinishReason {
    /** A stop token id or stop string was produced, or a constrained output (JSON) completed. */
    STOP("stop"),
    /** max_tokens reached. */
    LENGTH("length"),
    /** The caller or the platform cancelled it (its KV blocks are freed). */
    CANCELLED("cancelled");

    private final String openAiName;

    FinishReason(String openAiName) { this.openAiName = openAiName; }

    public String openAiName() { return openAiName; }
}
