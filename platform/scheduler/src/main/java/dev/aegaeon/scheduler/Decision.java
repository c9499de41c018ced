package dev.aegaeon.scheduler;

import java.util.List;

/**
 * What flows out of the scheduler. Compute decisions ({@link RunPrefill}, {@link RunDecodeStep})
 * occupy an instance's compute stream, at most one at a time per instance; copy decisions
 * ({@link LoadModel}, {@link SwapOut}, {@link SwapIn}) run on copy streams and may overlap
 * compute. See {@link Executor} for what a worker must do with each.
 */
public sealed interface Decision {
    int instance();

    /** Prefill the group's prompts with the (resident) model; KV stays on the instance. */
    record RunPrefill(int instance, long groupId, String model, List<Long> requests) implements Decision {}

    /**
     * Run ONE decode step of the batch: each listed request (KV on the instance) emits one token.
     * {@code contextTokens} is the batch's total context before the step, {@code quotaLeftSeconds}
     * the time left of the batch's turn (informational; infinite when it holds the instance alone).
     */
    record RunDecodeStep(int instance, long stepId, String model, List<Long> requests, long contextTokens,
                         double quotaLeftSeconds) implements Decision {}

    /** Copy the model's weights from the host cache into the instance's weight pool. */
    record LoadModel(int instance, String model, long bytes, boolean prefetch) implements Decision {}

    /** Drop the model's weights from the pool; takes effect at once, no completion event. */
    record EvictModel(int instance, String model) implements Decision {}

    /** Copy the requests' KV caches from the instance to host memory, then free them on the instance. */
    record SwapOut(int instance, long swapId, List<Long> requests, long bytes) implements Decision {}

    /** Copy the requests' KV caches from host memory to the instance (space already reserved). */
    record SwapIn(int instance, long swapId, List<Long> requests, long bytes) implements Decision {}
}
