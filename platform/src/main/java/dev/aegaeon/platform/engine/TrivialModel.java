package dev.aegaeon.platform.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.aegaeon.functions.FunctionSpec;
import dev.aegaeon.functions.FunctionState;

/** The trivial engine's bookkeeping for one function: state machine, counters, live sequences. */
final class TrivialModel {
    volatile FunctionSpec spec;
    volatile FunctionState state = FunctionState.COLD;
    volatile Instant lastUsed = Instant.EPOCH;
    volatile Instant lastSwitch;
    final AtomicLong switches = new AtomicLong();
    final AtomicLong loadNanos = new AtomicLong();
    final AtomicLong kvBlocksUsed = new AtomicLong();
    final Set<TrivialSequence> sequences = ConcurrentHashMap.newKeySet();

    TrivialModel(FunctionSpec spec) {
        this.spec = spec;
    }

    /** A scale-up: COLD or WARM becomes HOT (a "switch"); there are no weights, so loading takes no time. */
    synchronized void ensureHot(Instant now) {
        lastUsed = now;
        if (state == FunctionState.HOT) return;
        long start = System.nanoTime();
        state = FunctionState.HOT;
        switches.incrementAndGet();
        lastSwitch = now;
        loadNanos.addAndGet(System.nanoTime() - start);
    }

    /** Scale-to-zero: HOT -> WARM after idleToWarm, WARM -> COLD after idleToCold, unless minScale is 1. */
    synchronized void decay(Instant now) {
        if (!sequences.isEmpty() || spec.scaling().minScale() == 1) return;
        Duration idle = Duration.between(lastUsed, now);
        if (state == FunctionState.HOT && idle.compareTo(spec.scaling().idleToWarm()) >= 0) state = FunctionState.WARM;
        if (state == FunctionState.WARM && idle.compareTo(spec.scaling().idleToCold()) >= 0) state = FunctionState.COLD;
    }
}
