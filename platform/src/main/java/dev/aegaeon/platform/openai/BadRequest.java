package dev.aegaeon.platform.openai;

import dev.aegaeon.platform.invoke.InvocationError;

/** A request body that cannot be parsed or breaks OpenAI's field rules. */
public final class BadRequest extends Exception {
    private final InvocationError error;

    public BadRequest(String param, String message) {
        super(message, null, false, false);
        this.error = InvocationError.invalid(param, param == null ? null : "invalid_value", message);
    }

    public InvocationError error() {
        return error;
    }
}
