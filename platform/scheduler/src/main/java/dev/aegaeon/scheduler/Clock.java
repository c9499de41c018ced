package dev.aegaeon.scheduler;

/**
 * The scheduler's only source of time, in seconds on an arbitrary monotonic origin.
 * Invariant: successive calls never go backwards. The simulator injects a virtual clock;
 * the GPU worker injects {@code System.nanoTime() / 1e9}.
 */
@FunctionalInterface
public interface Clock {
    double now();
}
