package dev.aegaeon.sim;

import dev.aegaeon.scheduler.Clock;

/** The simulator's clock: moves only forward, only when the event loop advances it. */
public final class VirtualClock implements Clock {
    private double now;

    @Override
    public double now() {
        return now;
    }

    void advanceTo(double t) {
        if (t < now) throw new IllegalStateException("clock would go back from " + now + " to " + t);
        now = t;
    }
}
