package dev.aegaeon.platform.engine;

/** Why a generation ended. {@link #openAiName()} is the value of OpenAI's {@code finish_reason}. */
public enum FinishReason {
    /** End-of-sequence token or a stop string. */
    STOP("stop"),
    /** {@code max_tokens} reached. */
    LENGTH("length"),
    /** Cancelled by the platform (caller gone, deadline, unregistration, shutdown). */
    CANCELLED("cancelled");

    private final String openAiName;

    FinishReason(String openAiName) {
        this.openAiName = openAiName;
    }

    public String openAiName() {
        return openAiName;
    }
}
