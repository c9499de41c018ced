package dev.aegaeon.worker;

import dev.aegaeon.runtime.engine.FinishReason;
import dev.aegaeon.runtime.sampling.DecodedLogprobs;

/**
 * Receives one request's output from the {@link ModelPool}. Calls are serial (one worker thread),
 * in token order, and must not block. Exactly one of {@link #onComplete} / {@link #onError} is the
 * last call, and it comes after the request's KV blocks were released.
 */
public interface TokenSink {

    /**
     * Token {@code index} (0 = first) was generated. {@code text} is the text it adds: possibly
     * empty while an incomplete character or a possible stop string is held back; the text of a
     * matched stop string is never delivered. Empty when the model has no tokenizer. {@code logprobs}
     * is null unless the request asked for them.
     */
    void onToken(int index, int tokenId, String text, DecodedLogprobs logprobs);

    /** The request ended: STOP (end of sequence or a stop string), LENGTH (max tokens) or CANCELLED. */
    void onComplete(FinishReason reason, int promptTokens, int completionTokens);

    /** The request failed after it was accepted (e.g. its model failed to load). */
    void onError(String message, Throwable cause);
}
