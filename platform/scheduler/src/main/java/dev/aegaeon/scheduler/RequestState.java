package dev.aegaeon.scheduler;

/**
 * A request's lifecycle. Transitions: QUEUED -> PREFILLING -> (DECODING <-> SWAPPED_OUT)* ->
 * FINISHED; CANCELLED from any non-terminal state; REJECTED straight from arrival when no
 * instance may serve the model (a placement-restricted baseline). Terminal: FINISHED, CANCELLED,
 * REJECTED.
 */
public enum RequestState {
    QUEUED, PREFILLING, DECODING, SWAPPED_OUT, FINISHED, CANCELLED, REJECTED;

    public boolean terminal() {
        return this == FINISHED || this == CANCELLED || this == REJECTED;
    }
}
