package dev.aegaeon.platform.engine;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.sampling.DecodedLogprobs;

/**
 * Receives one generation's output. Calls are serial, in order, from backend threads; they must
 * not block. Exactly one of {@link #onComplete} / {@link #onError} is the last call.
 */
public interface TokenListener {
    /**
     * One decoded step. {@code text} is the text this token adds (may be empty while a multi-byte
     * character or a possible stop string is held back); {@code index} counts tokens from 0;
     * {@code logprobs} is null unless the request asked for them.
     */
    void onToken(int index, String text, DecodedLogprobs logprobs);

    /** The generation ended normally or was cancelled; resources are already released. */
    void onComplete(FinishReason reason, Usage usage);

    /** The generation failed after it was accepted; resources are already released. */
    void onError(BackendException error);
}
