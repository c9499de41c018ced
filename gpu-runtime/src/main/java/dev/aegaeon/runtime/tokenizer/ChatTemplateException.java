package dev.aegaeon.runtime.tokenizer;

/** A chat template that is missing, malformed, or refused the conversation (its raise_exception). */
public class ChatTemplateException extends dev.aegaeon.runtime.model.ModelLoadException {
    public ChatTemplateException(String message) { super(message); }

    public ChatTemplateException(String message, Throwable cause) { super(message, cause); }
}
