package dev.aegaeon.platform.invoke;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.platform.engine.Usage;
import dev.aegaeon.runtime.sampling.DecodedLogprobs;

/**
 * A front door's view of one accepted invocation. Calls are serial; exactly one of
 * {@link #onComplete} / {@link #onError} comes last. Implementations must not block.
 */
public interface InvocationObserver {
    /** One token's text delta; {@code logprobs} is null unless the request asked for them. */
    void onToken(int index, String text, DecodedLogprobs logprobs);

    void onComplete(FinishReason reason, Usage usage);

    void onError(InvocationError error);
}
