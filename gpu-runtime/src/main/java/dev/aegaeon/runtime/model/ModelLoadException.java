package dev.aegaeon.runtime.model;

/**
 * Base of every "this model directory cannot be used" error (config, weights, tokenizer, chat
 * template). The message alone is the user-facing explanation, naming the file and the field or
 * tensor, so a command line can print {@code getMessage()} as its one error line.
 */
public class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message) { super(message); }

    public ModelLoadException(String message, Throwable cause) { super(message, cause); }
}
