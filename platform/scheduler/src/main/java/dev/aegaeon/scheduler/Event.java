package dev.aegaeon.scheduler;

import java.util.Set;

/**
 * What flows into the scheduler: arrivals and cancellations from callers, completions from the
 * executor. Completion events echo the id of the decision they complete.
 */
public sealed interface Event {

    /** A new request. Its {@link RequestSpec#id()} must be unique. */
    record Arrival(RequestSpec request) implements Event {}

    /** The caller gave up on a request; unknown or finished ids are ignored. */
    record Cancel(long requestId) implements Event {}

    /**
     * A {@link Decision.RunPrefill} finished: every request of the group emitted its first token
     * now. {@code finished} holds the requests that ended with that token (end of sequence).
     */
    record PrefillDone(int instance, long groupId, Set<Long> finished) implements Event {}

    /**
     * A {@link Decision.RunDecodeStep} finished: every request of the step emitted one more token
     * now; {@code finished} holds those that ended with it.
     */
    record DecodeStepDone(int instance, long stepId, Set<Long> finished) implements Event {}

    /** A {@link Decision.LoadModel} finished: the weights are usable on the instance. */
    record LoadDone(int instance, String model) implements Event {}

    /** A {@link Decision.SwapOut} or {@link Decision.SwapIn} finished. */
    record SwapDone(int instance, long swapId) implements Event {}
}
