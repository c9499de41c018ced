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

    /** A conversation (OpenAI {@code /v1/chat/completions}); the backend applies the chat template. */
    record Chat(List<Message> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
        }
    }

    /** One chat turn; role is one of system, user, assistant (as OpenAI names them). */
    record Message(String role, String content) {
        public Message {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(content, "content");
        }
    }
}
