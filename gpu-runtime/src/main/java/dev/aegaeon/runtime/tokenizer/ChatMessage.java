package dev.aegaeon.runtime.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One chat turn as HF templates expect it: {@code {"role": ..., "content": ...}}, plus any
 * {@code fields} the template may read ({@code name}, {@code tool_call_id}, {@code tool_calls}),
 * given as plain maps, lists and scalars.
 */
public record ChatMessage(String role, String content, Map<String, Object> fields) {
    public ChatMessage {
        if (role == null || role.isBlank()) throw new IllegalArgumentException("message role must be given");
        if (content == null) content = "";
        fields = Map.copyOf(fields);
    }

    public ChatMessage(String role, String content) { this(role, content, Map.of()); }

    public static ChatMessage system(String content) { return new ChatMessage("system", content); }

    public static ChatMessage user(String content) { return new ChatMessage("user", content); }

    public static ChatMessage assistant(String content) { return new ChatMessage("assistant", content); }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        m.putAll(fields);
        return m;
    }
}
