package dev.aegaeon.platform.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

import dev.aegaeon.platform.engine.Usage;
import dev.aegaeon.runtime.sampling.DecodedLogprobs;
import dev.aegaeon.platform.invoke.InvocationError;

/**
 * OpenAI's response shapes, field for field: {@code text_completion} and {@code chat.completion}
 * objects, their streaming chunks, and the error object. Stateless.
 */
public final class OpenAiFormat {
    private OpenAiFormat() {}

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    public static String responseId(OpenAiCall.Kind kind, String invocationId) {
        return (kind == OpenAiCall.Kind.CHAT ? "chatcmpl-" : "cmpl-") + invocationId;
    }

    /** One finished choice: its text, finish reason and (when asked) each token's logprobs. */
    public record Choice(String text, String finishReason, List<DecodedLogprobs> logprobs) {}

    /** A whole answer with one choice; {@code logprobs} -1 when the caller did not ask for them. */
    public static ObjectNode response(OpenAiCall.Kind kind, String id, long created, String model, String text,
            String finishReason, Usage usage, List<DecodedLogprobs> tokens, int logprobs) {
        return response(kind, id, created, model, List.of(new Choice(text, finishReason, tokens)), usage, logprobs);
    }

    public static ObjectNode response(OpenAiCall.Kind kind, String id, long created, String model, List<Choice> choices,
            Usage usage, int logprobs) {
        return response(kind, id, created, model, choices, usage, logprobs, java.util.Optional.empty());
    }

    /** With {@code tool}, each chat choice is a call of that function whose arguments are the choice's text ({@link ToolCallFormat}). */
    static ObjectNode response(OpenAiCall.Kind kind, String id, long created, String model, List<Choice> choices,
            Usage usage, int logprobs, java.util.Optional<ToolChoice.Forced> tool) {
        ObjectNode root = header(kind, id, created, model, false);
        ArrayNode array = root.putArray("choices");
        for (int i = 0; i < choices.size(); i++) {
            Choice c = choices.get(i);
            ObjectNode choice = array.addObject();
            choice.put("index", i);
            if (kind == OpenAiCall.Kind.CHAT) {
                ObjectNode message = choice.putObject("message");
                message.put("role", "assistant");
                if (tool.isPresent()) ToolCallFormat.message(message, tool.get(), ToolCallFormat.newCallId(), c.text());
                else message.put("content", c.text());
                message.putNull("refusal");
            } else {
                choice.put("text", c.text());
            }
            putLogprobs(choice, kind, c.logprobs(), logprobs, 0);
            choice.put("finish_reason", tool.isPresent() ? ToolCallFormat.finishReason(tool.get(), c.finishReason()) : c.finishReason());
        }
        root.set("usage", usage(usage));
        return root;
    }

    /**
     * One streaming chunk of choice {@code index} carrying {@code text} (chat: the first chunk also
     * carries the role), or the closing chunk when {@code finishReason} is set. With
     * {@code includeUsage}, every chunk has {@code "usage": null}, as OpenAI sends them.
     * {@code token} is the chunk's token logprobs (null when not asked), {@code textOffset} its
     * completions {@code text_offset}.
     */
    public static ObjectNode chunk(OpenAiCall.Kind kind, String id, long created, String model, int index, boolean first,
            String text, DecodedLogprobs token, int logprobs, int textOffset, String finishReason, boolean includeUsage) {
        return chunk(kind, id, created, model, index, first, text, token, logprobs, textOffset, finishReason, includeUsage, null, null);
    }

    /** With {@code tool}, the chunk's text is argument text of the call {@code callId} ({@link ToolCallFormat}). */
    static ObjectNode chunk(OpenAiCall.Kind kind, String id, long created, String model, int index, boolean first,
            String text, DecodedLogprobs token, int logprobs, int textOffset, String finishReason, boolean includeUsage,
            ToolChoice.Forced tool, String callId) {
        ObjectNode root = header(kind, id, created, model, true);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", index);
        if (kind == OpenAiCall.Kind.CHAT) {
            ObjectNode delta = choice.putObject("delta");
            if (first) delta.put("role", "assistant");
            if (finishReason == null && tool != null) ToolCallFormat.delta(delta, first, tool, callId, text);
            else if (finishReason == null) delta.put("content", text);
        } else {
            choice.put("text", text);
        }
        putLogprobs(choice, kind, token == null ? null : List.of(token), logprobs, textOffset);
        if (finishReason == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", tool == null ? finishReason : ToolCallFormat.finishReason(tool, finishReason));
        if (includeUsage) root.putNull("usage");
        return root;
    }

    /** The one-choice chunk without logprobs (Kafka's token deltas). */
    public static ObjectNode chunk(OpenAiCall.Kind kind, String id, long created, String model, boolean first,
            String text, String finishReason, boolean includeUsage) {
        return chunk(kind, id, created, model, 0, first, text, null, -1, 0, finishReason, includeUsage);
    }

    private static void putLogprobs(ObjectNode choice, OpenAiCall.Kind kind, List<DecodedLogprobs> tokens, int logprobs, int offset) {
        if (logprobs < 0 || tokens == null) {
            choice.putNull("logprobs");
        } else if (kind == OpenAiCall.Kind.CHAT) {
            choice.set("logprobs", LogprobsFormat.chat(tokens, logprobs));
        } else {
            choice.set("logprobs", LogprobsFormat.completion(tokens, logprobs, offset));
        }
    }

    /** The extra last chunk of {@code stream_options.include_usage}: empty choices, the usage. */
    public static ObjectNode usageChunk(OpenAiCall.Kind kind, String id, long created, String model, Usage usage) {
        ObjectNode root = header(kind, id, created, model, true);
        root.putArray("choices");
        root.set("usage", usage(usage));
        return root;
    }

    public static ObjectNode error(InvocationError e) {
        ObjectNode root = F.objectNode();
        ObjectNode err = root.putObject("error");
        err.put("message", e.message());
        err.put("type", e.type());
        if (e.param() == null) err.putNull("param");
        else err.put("param", e.param());
        if (e.code() == null) err.putNull("code");
        else err.put("code", e.code());
        return root;
    }

    /** {@code created}: each model's registration time in epoch seconds, by name, in listing order. */
    public static ObjectNode models(java.util.SequencedMap<String, Long> created) {
        ObjectNode root = F.objectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        created.forEach((name, at) -> data.add(model(name, at)));
        return root;
    }

    public static ObjectNode model(String name, long created) {
        ObjectNode m = F.objectNode();
        m.put("id", name);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "aegaeon");
        return m;
    }

    private static ObjectNode header(OpenAiCall.Kind kind, String id, long created, String model, boolean chunk) {
        ObjectNode root = F.objectNode();
        root.put("id", id);
        root.put("object", kind == OpenAiCall.Kind.CHAT ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
        root.put("created", created);
        root.put("model", model);
        root.put("system_fingerprint", "aegaeon");
        return root;
    }

    private static ObjectNode usage(Usage u) {
        ObjectNode n = F.objectNode();
        n.put("prompt_tokens", u.promptTokens());
        n.put("completion_tokens", u.completionTokens());
        n.put("total_tokens", u.totalTokens());
        return n;
    }
}
