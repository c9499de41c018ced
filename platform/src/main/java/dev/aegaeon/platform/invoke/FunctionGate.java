package dev.aegaeon.platform.invoke;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

import dev.aegaeon.functions.FunctionSpec;

/**
 * Admission for one function: at most {@code limits.maxConcurrent} invocations at the backend,
 * at most {@code limits.maxQueued} waiting here in FIFO order. Guarded by its own monitor.
 */
final class FunctionGate {
    volatile FunctionSpec spec;
    private final ArrayDeque<Invocation> waiting = new ArrayDeque<>();
    private int running;
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    /** Exponential moving average of service time, for Retry-After. */
    private volatile double avgServiceNanos = 1e9;

    FunctionGate(FunctionSpec spec) {
        this.spec = spec;
    }

    enum Admission { RUN, QUEUED, FULL }

    synchronized Admission admit(Invocation inv, GlobalQueue global) {
        if (running < spec.limits().maxConcurrent() && waiting.isEmpty()) {
            running++;
            return Admission.RUN;
        }
        if (waiting.size() >= spec.limits().maxQueued() || !global.tryEnter()) return Admission.FULL;
        waiting.addLast(inv);
        return Admission.QUEUED;
    }

    /** A running invocation ended: returns the next one to run (its slot already taken), or null. */
    synchronized Invocation release(GlobalQueue global) {
        running--;
        Invocation next = waiting.pollFirst();
        if (next != null) {
            global.leave();
            running++;
        }
        return next;
    }

    /** Removes a waiting invocation (cancelled or expired before it ran); false if it is not waiting. */
    synchronized boolean withdraw(Invocation inv, GlobalQueue global) {
        boolean removed = waiting.remove(inv);
        if (removed) global.leave();
        return removed;
    }

    /** Empties the queue (the function is going away); the caller ends each invocation. */
    synchronized java.util.List<Invocation> drainWaiting(GlobalQueue global) {
        java.util.List<Invocation> all = new java.util.ArrayList<>(waiting);
        waiting.clear();
        all.forEach(i -> global.leave());
        return all;
    }

    synchronized int running() {
        return running;
    }

    synchronized int waiting() {
        return waiting.size();
    }

    void serviceTime(long nanos) {
        avgServiceNanos = 0.9 * avgServiceNanos + 0.1 * nanos;
    }

    /** Seconds until a slot is likely free: the queue drained at the observed service rate, at least 1. */
    synchronized long retryAfterSeconds() {
        double perSlot = avgServiceNanos * (waiting.size() + 1) / Math.max(1, spec.limits().maxConcurrent());
        return Math.max(1, (long) Math.ceil(perSlot / 1e9));
    }

    /** The overall bound on invocations waiting in any function's queue. */
    static final class GlobalQueue {
        private final int capacity;
        private int size;

        GlobalQueue(int capacity) {
            this.capacity = capacity;
        }

        synchronized boolean tryEnter() {
            if (size >= capacity) return false;
            size++;
            return true;
        }

        synchronized void leave() {
            size--;
        }

        synchronized int size() {
            return size;
        }
    }
}
