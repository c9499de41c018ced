package dev.aegaeon.runtime.engine;

/** Why a sequence stopped, in OpenAI's vocabulary ("stop", "length") plus cancellation. */
public enum FinishReason {
    /** A stop token id or stop string was produced. */
    STOP,
    /** max_tokens reached. */
    LENGTH,
    /** The caller cancelled it (its KV blocks are freed). */
    CANCELLED
}
