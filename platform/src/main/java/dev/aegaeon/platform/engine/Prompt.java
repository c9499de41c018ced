package dev.aegaeon.platform.engine;

import java.util.List;
import java.util.Objects;

/** The input of a generation, before the function's tokenizer and chat template see it. */
public sealed interface Prompt {
    /** A raw completion prompt (OpenAI {@code /v1/completions}). */
    record Text(String text) implements Prompt {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A completion prompt given as token ids (OpenAI {@code prompt: [int, ...]}): the backend
     * takes them as they are, after checking each against the model's vocabulary.
     */
    record Tokens(int[] ids) implements Prompt {
        public Tokens {
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tokens t && java.util.Arrays.equals(ids, t.ids);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(ids);
        }

        @Override
        public String toString() {
            return "Tokens[" + ids.length + " ids]";
        }
    }

    /**
     * A conversation (OpenAI {@code /v1/chat/completions}); the backend applies the chat template,
     * passing {@code tools} (OpenAI's tool objects as plain maps and lists) when there are any.
     */
    record Chat(List<Message> messages, List<Object> tools) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
            tools = List.copyOf(tools);
        }

        public Chat(List<Message> messages) { this(messages, List.of()); }
    }

    /**
     * One chat turn; role is one of system, user, assistant, tool (as OpenAI names them).
     * {@code templateFields}: what else the chat template sees of the message ({@code name},
     * {@code tool_call_id}, {@code tool_calls} with their arguments as objects), as plain maps,
     * lists and scalars.
     */
    record Message(String role, String content, java.util.Map<String, Object> templateFields) {
        public Message {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(content, "content");
            templateFields = java.util.Map.copyOf(templateFields);
        }

        public Message(String role, String content) { this(role, content, java.util.Map.of()); }
    }
}
