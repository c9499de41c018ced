package dev.aegaeon.platform.invoke;

/**
 * An {@link InvocationError} as an unchecked failure, for front doors whose framework only learns
 * of an error from an exception (Funqy). The HTTP edge answers it with {@code error.status()} and
 * OpenAI's error JSON. No stack trace: it is an answer, not a fault.
 */
public final class InvocationFailure extends RuntimeException {
    private final InvocationError error;

    public InvocationFailure(InvocationError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public InvocationError error() {
        return error;
    }
}
