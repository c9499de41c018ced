package dev.aegaeon.worker;

import dev.aegaeon.scheduler.RequestSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Holds requests back until their model's KV block pool can take them. Needed where each engine has
 * a fixed pool (a CUDA KV cache, allocated whole) or its model is capped by
 * {@link PoolOptions#kvTokensPerModel}; a model on a device's shared pages without a cap is
 * registered with an unbounded gate, and the scheduler alone admits its requests by their prompts'
 * pages. The scheduler budgets KV in bytes over the whole device, but a fixed pool is per engine;
 * without this gate the scheduler could run more sequences of one model than its pool holds and
 * the engine would have no blocks for a step. A request reserves the blocks of its longest possible
 * sequence (prompt + max tokens) when it is handed to the scheduler and returns them when the
 * scheduler ends it; until then it waits here, first come first served per model.
 *
 * <p>Invariant: per model, the blocks reserved by admitted requests never exceed the pool, so every
 * prefill, decode step and swap-in of that model finds its blocks (worst case, not expected case:
 * long {@code max_tokens} lower concurrency rather than risk a failure). A request that needs more
 * than the whole pool is refused at submit, so the head of a queue is always admitted eventually.
 * Touched only on the scheduler loop's thread.
 */
final class KvAdmission {
    private record Entry(RequestSpec spec, String model, int blocks) {}

    private static final class Gate {
        final int capacity;
        int reserved;
        final ArrayDeque<Entry> waiting = new ArrayDeque<>();

        Gate(int capacity) { this.capacity = capacity; }

        boolean fits(int blocks) { return reserved + blocks <= capacity; }
    }

    private final Map<String, Gate> gates = new HashMap<>();
    private final Map<Long, Entry> admitted = new HashMap<>();
    private final Map<Long, Entry> waiting = new HashMap<>();

    /** Registers a model's pool size in blocks. */
    void addModel(String model, int blocks) {
        gates.put(model, new Gate(blocks));
    }

    /**
     * Admits the request now (true: hand it to the scheduler) or queues it (false: it comes back
     * from a later {@link #release}).
     */
    boolean offer(RequestSpec spec, int blocks) {
        Gate g = gates.get(spec.model());
        if (g == null) throw new IllegalStateException("model " + spec.model() + " has no KV gate");
        if (blocks > g.capacity) {
            throw new IllegalArgumentException("request " + spec.id() + " needs " + blocks + " KV blocks; the pool has " + g.capacity);
        }
        Entry e = new Entry(spec, spec.model(), blocks);
        if (g.waiting.isEmpty() && g.fits(blocks)) {
            g.reserved += blocks;
            admitted.put(spec.id(), e);
            return true;
        }
        g.waiting.add(e);
        waiting.put(spec.id(), e);
        return false;
    }

    /** True while the request waits here (the scheduler has not seen it). */
    boolean isWaiting(long id) {
        return waiting.containsKey(id);
    }

    /**
     * The request ended (or was withdrawn while waiting): its blocks return to its model's pool.
     * Returns the waiting requests that fit now, in arrival order, already admitted.
     */
    List<RequestSpec> release(long id) {
        Entry e = admitted.remove(id);
        Gate g;
        if (e != null) {
            g = gates.get(e.model);
            g.reserved -= e.blocks;
        } else {
            e = waiting.remove(id);
            if (e == null) return List.of();
            g = gates.get(e.model);
            for (Iterator<Entry> it = g.waiting.iterator(); it.hasNext(); ) {
                if (it.next().spec.id() == id) it.remove();
            }
        }
        List<RequestSpec> now = new ArrayList<>();
        while (!g.waiting.isEmpty() && g.fits(g.waiting.peek().blocks)) {
            Entry next = g.waiting.poll();
            waiting.remove(next.spec.id());
            g.reserved += next.blocks;
            admitted.put(next.spec.id(), next);
            now.add(next.spec);
        }
        return now;
    }
}
