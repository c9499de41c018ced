package dev.aegaeon.runtime.engine;

/**
 * Sees the logits row each sampled token came from (copied to the host, so only for tests, logprobs
 * and debugging: it costs a transfer per step on a device backend).
 */
@FunctionalInterface
public interface LogitsObserver {
    void onLogits(Sequence sequence, float[] logits);
}
