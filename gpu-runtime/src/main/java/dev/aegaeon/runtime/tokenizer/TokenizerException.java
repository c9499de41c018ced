package dev.aegaeon.runtime.tokenizer;

/** A tokenizer that cannot be loaded, or input it cannot handle; the message names the file or the bad id. */
public class TokenizerException extends dev.aegaeon.runtime.model.ModelLoadException {
    public TokenizerException(String message) { super(message); }

    public TokenizerException(String message, Throwable cause) { super(message, cause); }
}
