package dev.aegaeon.scheduler;

/** A clock the test sets by hand. */
final class ManualClock implements Clock {
    double now;

    @Override
    public double now() {
        return now;
    }
}
