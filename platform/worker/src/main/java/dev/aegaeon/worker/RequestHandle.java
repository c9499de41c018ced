package dev.aegaeon.worker;

/** A submitted request. */
public interface RequestHandle {

    /** The pool-wide request id (also the scheduler's). */
    long id();

    /**
     * Stops the request; idempotent, any thread. Its KV blocks are freed at the next step boundary
     * and the sink gets {@code onComplete(CANCELLED, ...)} unless it already got a terminal call.
     */
    void cancel();
}
