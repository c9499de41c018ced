package dev.aegaeon.platform.engine;

/** A handle on one submitted generation. */
public interface Generation {
    /**
     * Stops the generation and frees its KV blocks at once; idempotent, any thread. The listener
     * then gets {@code onComplete(CANCELLED, usage)} unless it already got a terminal callback.
     */
    void cancel();
}
