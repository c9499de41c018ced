package dev.aegaeon.platform.openai;

import java.util.Iterator;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a chat message may carry besides {@code role} and {@code content}, as OpenAI refuses any
 * other field: {@code name} and {@code tool_call_id} go to the chat template; the fields an SDK
 * copies from a previous answer ({@code refusal}, {@code tool_calls}, {@code function_call},
 * {@code audio}, {@code annotations}) are taken only when they hold nothing, since dropping a
 * tool call or a refusal would change the conversation the model sees.
 */
final class MessageFields {
    private static final Set<String> FORWARDED = Set.of("role", "content", "name", "tool_call_id");
    private static final Set<String> ONLY_EMPTY = Set.of("refusal", "tool_calls", "function_call", "audio", "annotations");

    private MessageFields() {}

    static void check(JsonNode message, String at) throws BadRequest {
        for (Iterator<String> it = message.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (FORWARDED.contains(f)) continue;
            JsonNode v = message.get(f);
            if (!ONLY_EMPTY.contains(f))
                throw new BadRequest(at + "." + f, "Unrecognized message field '" + f + "' in " + at + ".");
            if (!v.isNull() && !(v.isArray() && v.isEmpty())) {
                String why = f.equals("tool_calls") || f.equals("function_call") ? "tool calls are not supported (tools are not)"
                        : "only null is supported here";
                throw new BadRequest(at + "." + f, "'" + at + "." + f + "': " + why + ".");
            }
        }
    }

    /** A forwarded string field, or null when absent or null. */
    static String text(JsonNode message, String field, String at) throws BadRequest {
        JsonNode v = message.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new BadRequest(at + "." + field, "'" + at + "." + field + "' must be a string.");
        return v.asText();
    }
}
