package dev.aegaeon.platform.openai;

import dev.aegaeon.platform.invoke.InvocationRequest;

/**
 * A parsed OpenAI request body: which endpoint shape it has, the invocation it asks for, and how
 * the answer must be shaped.
 */
public record OpenAiCall(Kind kind, InvocationRequest request, boolean stream, boolean includeUsage,
        SamplingParser.Choices choices, ToolChoice tools) {
    public enum Kind { COMPLETION, CHAT }

    public String model() {
        return request.function();
    }

    /** How many tokens' alternatives to show per token; -1 when the caller did not ask for logprobs. */
    public int logprobs() {
        return choices.logprobs();
    }

    /**
     * For front doors that answer with one plain choice (Kafka, CloudEvents): n and best_of above 1,
     * and tools, are served by the HTTP routes only.
     */
    public void requireSingleChoice() throws BadRequest {
        if (choices.n() != 1) throw new BadRequest("n", "Only n = 1 is supported on this front door; use the HTTP API for n > 1.");
        if (choices.bestOf() != 1) throw new BadRequest("best_of", "Only best_of = 1 is supported on this front door; use the HTTP API.");
        if (!tools.templateTools().isEmpty())
            throw new BadRequest("tools", "Tools are served by the HTTP API (/v1/chat/completions) only, not on this front door.");
    }

    /** The function the answer calls, when the request forces one. */
    public java.util.Optional<ToolChoice.Forced> forcedTool() {
        return tools.forced();
    }
}
