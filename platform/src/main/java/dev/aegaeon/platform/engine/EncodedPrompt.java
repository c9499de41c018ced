package dev.aegaeon.platform.engine;

/**
 * A prompt after tokenization: the token ids the backend will prefill. The platform reads only
 * {@link #length()} (to enforce {@code limits.maxPromptTokens}); the ids go back to the same
 * backend's {@code submit} unchanged.
 */
public record EncodedPrompt(int[] tokens) {
    public EncodedPrompt {
        tokens = tokens.clone();
    }

    public int length() {
        return tokens.length;
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
