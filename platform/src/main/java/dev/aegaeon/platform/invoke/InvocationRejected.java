package dev.aegaeon.platform.invoke;

/**
 * Thrown by {@link InvocationService#start} when an invocation is not accepted; nothing was queued.
 * {@link #reason()} is what the operator's refusal metric counts; it differs from the error's code
 * where the caller must not learn the cause (a wrong key answers as an unknown model).
 */
public final class InvocationRejected extends Exception {
    private final InvocationError error;
    private final String reason;

    public InvocationRejected(InvocationError error) {
        this(error, error.code() != null ? error.code() : error.type());
    }

    public InvocationRejected(InvocationError error, String reason) {
        super(error.message(), null, false, false);
        this.error = error;
        this.reason = reason;
    }

    public InvocationError error() {
        return error;
    }

    /** Why, for metrics and logs; never sent to the caller. */
    public String reason() {
        return reason;
    }
}
