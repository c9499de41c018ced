package dev.aegaeon.runtime.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One chat turn as HF templates expect it: {@code {"role": ..., "content": ...}}, plus {@code name}
 * and {@code tool_call_id} when given (null: absent from the template's message).
 */
public record ChatMessage(String role, String content, String name, String toolCallId) {
    public ChatMessage {
        if (role == null || role.isBlank()) throw new IllegalArgumentException("message role must be given");
        if (content == null) content = "";
    }

    public ChatMessage(String role, String content) { this(role, content, null, null); }

    public static ChatMessage system(String content) { return new ChatMessage("system", content); }

    public static ChatMessage user(String content) { return new ChatMessage("user", content); }

    public static ChatMessage assistant(String content) { return new ChatMessage("assistant", content); }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        if (name != null) m.put("name", name);
        if (toolCallId != null) m.put("tool_call_id", toolCallId);
        return m;
    }
}
