package dev.aegaeon.scheduler;

/**
 * Observes what the scheduler learns: tokens as their completion events arrive, request ends,
 * model loads. Used for SLO accounting ({@link SloLedger}) and metrics; must not call back into
 * the scheduler.
 */
public interface SchedulerListener {
    /** Token {@code index} (0 = first) of the request was emitted at {@code time}. */
    default void onToken(long requestId, int index, double time) {}

    /** The request reached a terminal state. */
    default void onFinish(long requestId, RequestState state, double time) {}

    /** A load of {@code bytes} of weights started on the instance ({@code prefetch}: ahead of need). */
    default void onLoad(int instance, String model, long bytes, boolean prefetch, double time) {}

    SchedulerListener NONE = new SchedulerListener() {};
}
