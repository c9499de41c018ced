package dev.aegaeon.scheduler;

import java.util.List;

/**
 * A scheduling policy as a pure state machine: each event in yields the decisions to execute now.
 * Implementations read time only from their injected {@link Clock}, do no I/O and are not
 * thread-safe (one thread, or external serialisation, feeds all events).
 */
public interface Scheduler {

    /** Decisions needed before any event (e.g. loading pinned models). Call once, first. */
    List<Decision> start();

    /** Applies one event; returns the decisions to submit to the {@link Executor}, in order. */
    List<Decision> handle(Event event);

    /** The request's state, or null when it is unknown or was forgotten after reaching a terminal state. */
    RequestState state(long requestId);
}
