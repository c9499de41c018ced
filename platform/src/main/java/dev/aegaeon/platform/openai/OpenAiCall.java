package dev.aegaeon.platform.openai;

import dev.aegaeon.platform.invoke.InvocationRequest;

/**
 * A parsed OpenAI request body: which endpoint shape it has, the invocation it asks for, and how
 * the answer must be shaped.
 */
public record OpenAiCall(Kind kind, InvocationRequest request, boolean stream, boolean includeUsage) {
    public enum Kind { COMPLETION, CHAT }

    public String model() {
        return request.function();
    }
}
