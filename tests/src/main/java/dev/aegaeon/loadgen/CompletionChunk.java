package dev.aegaeon.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What one event of an OpenAI streaming completion means to the load generator. A chunk whose
 * choice has {@code finish_reason: null} carries at least one token (the platform sends the first
 * token's chunk even when its text is empty and folds later empty-text tokens into the next one).
 */
public sealed interface CompletionChunk {
    ObjectMapper JSON = new ObjectMapper();

    record Token(String text) implements CompletionChunk {}

    record Finish(String reason) implements CompletionChunk {}

    record Usage(int promptTokens, int completionTokens) implements CompletionChunk {}

    /** An error sent inside the stream ({@code data: {"error": {...}}}). */
    record Error(String message) implements CompletionChunk {}

    record Done() implements CompletionChunk {}

    /** Anything else (e.g. a chunk with no choices and no usage): ignored, counted. */
    record Other(String data) implements CompletionChunk {}

    static CompletionChunk parse(String data) {
        if (data.equals("[DONE]")) return new Done();
        JsonNode n;
        try {
            n = JSON.readTree(data);
        } catch (java.io.IOException e) {
            return new Error("unparseable event: " + abbreviate(data));
        }
        if (n == null || !n.isObject()) return new Other(data);
        if (n.hasNonNull("error")) return new Error(n.get("error").path("message").asText(n.get("error").toString()));
        JsonNode choices = n.path("choices");
        if (choices.isArray() && !choices.isEmpty()) {
            JsonNode c = choices.get(0);
            if (c.hasNonNull("finish_reason")) return new Finish(c.get("finish_reason").asText());
            return new Token(c.path("text").asText(c.path("delta").path("content").asText("")));
        }
        if (n.hasNonNull("usage")) {
            JsonNode u = n.get("usage");
            return new Usage(u.path("prompt_tokens").asInt(-1), u.path("completion_tokens").asInt(-1));
        }
        return new Other(data);
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
