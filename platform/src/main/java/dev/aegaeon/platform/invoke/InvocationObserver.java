package dev.aegaeon.platform.invoke;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.platform.engine.Usage;

/**
 * A front door's view of one accepted invocation. Calls are serial; exactly one of
 * {@link #onComplete} / {@link #onError} comes last. Implementations must not block.
 */
public interface InvocationObserver {
    void onToken(int index, String text);

    void onComplete(FinishReason reason, Usage usage);

    void onError(InvocationError error);
}
