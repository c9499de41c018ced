package dev.aegaeon.platform.invoke;

/** Thrown by {@link InvocationService#start} when an invocation is not accepted; nothing was queued. */
public final class InvocationRejected extends Exception {
    private final InvocationError error;

    public InvocationRejected(InvocationError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public InvocationError error() {
        return error;
    }
}
