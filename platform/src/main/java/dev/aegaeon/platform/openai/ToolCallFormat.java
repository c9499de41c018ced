package dev.aegaeon.platform.openai;

import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * OpenAI's shape of a forced tool call ({@link ToolChoice.Forced}): the answer's text is the call's
 * {@code arguments}, so the message has {@code content: null} and one {@code tool_calls} entry; a
 * stream's first delta carries the call's id, type and name, the later ones only argument text. The
 * finish reason is {@code tool_calls} when {@code "required"} chose the call and it completed, and
 * the model's own otherwise ({@code stop} for a named function, {@code length} for cut arguments),
 * as vLLM reports them.
 */
final class ToolCallFormat {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private ToolCallFormat() {}

    /** A call id in OpenAI's form, {@code call_} and 24 letters or digits; one per choice. */
    static String newCallId() {
        StringBuilder b = new StringBuilder("call_");
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 24; i++) b.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        return b.toString();
    }

    static void message(ObjectNode message, ToolChoice.Forced tool, String callId, String arguments) {
        message.putNull("content");
        ObjectNode call = message.putArray("tool_calls").addObject();
        call.put("id", callId);
        call.put("type", "function");
        ObjectNode function = call.putObject("function");
        function.put("name", tool.name());
        function.put("arguments", arguments);
    }

    static void delta(ObjectNode delta, boolean first, ToolChoice.Forced tool, String callId, String arguments) {
        if (first) delta.putNull("content");
        ObjectNode call = delta.putArray("tool_calls").addObject();
        call.put("index", 0);
        if (first) {
            call.put("id", callId);
            call.put("type", "function");
        }
        ObjectNode function = call.putObject("function");
        if (first) function.put("name", tool.name());
        function.put("arguments", arguments);
    }

    static String finishReason(ToolChoice.Forced tool, String finishReason) {
        return tool.required() && "stop".equals(finishReason) ? "tool_calls" : finishReason;
    }
}
