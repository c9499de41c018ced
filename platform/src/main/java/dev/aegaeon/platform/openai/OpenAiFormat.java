package dev.aegaeon.platform.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.aegaeon.platform.engine.Usage;
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

    public static ObjectNode response(OpenAiCall.Kind kind, String id, long created, String model, String text,
            String finishReason, Usage usage) {
        ObjectNode root = header(kind, id, created, model, false);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (kind == OpenAiCall.Kind.CHAT) {
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", text);
            message.putNull("refusal");
        } else {
            choice.put("text", text);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        root.set("usage", usage(usage));
        return root;
    }

    /**
     * One streaming chunk carrying {@code text} (chat: the first chunk also carries the role), or
     * the closing chunk when {@code finishReason} is set. With {@code includeUsage}, every chunk has
     * {@code "usage": null}, as OpenAI sends them.
     */
    public static ObjectNode chunk(OpenAiCall.Kind kind, String id, long created, String model, boolean first,
            String text, String finishReason, boolean includeUsage) {
        ObjectNode root = header(kind, id, created, model, true);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        if (kind == OpenAiCall.Kind.CHAT) {
            ObjectNode delta = choice.putObject("delta");
            if (first) delta.put("role", "assistant");
            if (finishReason == null) delta.put("content", text);
        } else {
            choice.put("text", text);
        }
        choice.putNull("logprobs");
        if (finishReason == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", finishReason);
        if (includeUsage) root.putNull("usage");
        return root;
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
