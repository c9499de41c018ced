package dev.aegaeon.platform.funqy;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Funqy inputs and outputs: OpenAI's field names, one answer (Funqy does not stream). */
public final class FunqyTypes {
    private FunqyTypes() {}

    /** A Funqy input object whose fields beyond its own are refused by name, never ignored (the OpenAI routes take them). */
    public abstract static class Strict {
        @com.fasterxml.jackson.annotation.JsonIgnore
        public final List<String> unsupported = new java.util.ArrayList<>();

        @com.fasterxml.jackson.annotation.JsonAnySetter
        void unsupported(String name, Object value) {
            unsupported.add(name);
        }
    }

    /** Parameters both functions share. */
    public static class Params extends Strict {
        public String model;
        @JsonProperty("max_tokens")
        public Integer maxTokens;
        public Double temperature;
        @JsonProperty("top_p")
        public Double topP;
        public List<String> stop;
        public Long seed;
    }

    public static class GenerateInput extends Params {
        public String prompt;
    }

    public static class ChatMessage extends Strict {
        public String role;
        public String content;

        public ChatMessage() {}

        public ChatMessage(String role, String content) {
            this.role = role;
            this.content = content;
        }
    }

    public static class ChatInput extends Params {
        public List<ChatMessage> messages;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Output {
        public String id;
        public String model;
        /** {@code generate}: the completion text. */
        public String text;
        /** {@code chat}: the assistant's message. */
        public ChatMessage message;
        @JsonProperty("finish_reason")
        public String finishReason;
        public Map<String, Integer> usage;
    }
}
