package dev.aegaeon.platform.engine;

/** Token counts as OpenAI reports them. */
public record Usage(int promptTokens, int completionTokens) {
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
