package dev.aegaeon.sim;

import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.ModelSpec;
import dev.aegaeon.scheduler.RequestState;
import dev.aegaeon.scheduler.SchedulerListener;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recomputes each instance's device memory from the decision stream alone, independently of the
 * scheduler's own bookkeeping: weights from loads and evictions; a request's KV from its prefill
 * (prompt), one token per decode step, swap-ins, and swap-outs (freed when their copy completes);
 * freed when the request ends. KV is counted as the model's spec pages it ({@link ModelSpec#kvBytes}:
 * whole pages, or token by token). Records the first time any instance exceeds its memory.
 */
final class MemoryAuditor implements SchedulerListener {
    private final long[] capacity;
    private final long[] used;
    private final Map<String, ModelSpec> models = new HashMap<>();
    private final Trace trace;
    private final Map<Long, long[]> kv = new HashMap<>();       // request -> {instance, bytes}
    private final Map<String, Long> weights = new HashMap<>();   // "inst/model" -> bytes
    private final Map<Long, List<Long>> swapsOut = new HashMap<>();
    private final Map<Long, Long> host = new HashMap<>();         // request -> KV bytes in host memory
    String violation;

    MemoryAuditor(Trace trace, long[] capacity) {
        this.trace = trace;
        this.capacity = capacity;
        this.used = new long[capacity.length];
        for (ModelSpec m : trace.modelSpecs()) models.put(m.name(), m);
    }

    private final Map<Long, Integer> tokens = new HashMap<>(); // request -> KV positions so far

    /** Bytes the request's KV grows by when it reaches {@code more} more positions. */
    private long grow(long request, int more) {
        ModelSpec m = models.get(trace.requests().get((int) request).model());
        int before = tokens.getOrDefault(request, 0);
        tokens.put(request, before + more);
        return m.kvBytes(before + more) - m.kvBytes(before);
    }

    private void add(int inst, long bytes) {
        used[inst] += bytes;
        if (used[inst] > capacity[inst] && violation == null) {
            violation = "instance " + inst + " holds " + used[inst] + " B of " + capacity[inst];
        }
    }

    private void place(long request, int inst, long bytes) {
        long[] k = kv.computeIfAbsent(request, r -> new long[] {inst, 0});
        if (k[0] != inst && k[1] != 0 && violation == null) violation = "request " + request + " KV on two instances";
        k[0] = inst;
        k[1] += bytes;
        add(inst, bytes);
    }

    private void free(long request) {
        long[] k = kv.remove(request);
        if (k != null) used[(int) k[0]] -= k[1];
    }

    void tap(Event event, List<Decision> decisions) {
        if (event instanceof Event.SwapDone s && swapsOut.containsKey(s.swapId())) {
            for (long r : swapsOut.remove(s.swapId())) {
                long[] k = kv.get(r);
                if (k != null) host.put(r, k[1]);
                free(r);
            }
        }
        for (Decision d : decisions) {
            switch (d) {
                case Decision.LoadModel l -> {
                    weights.put(l.instance() + "/" + l.model(), l.bytes());
                    add(l.instance(), l.bytes());
                }
                case Decision.EvictModel e -> used[e.instance()] -= weights.remove(e.instance() + "/" + e.model());
                case Decision.RunPrefill p -> {
                    for (long r : p.requests()) place(r, p.instance(), grow(r, trace.requests().get((int) r).promptTokens()));
                }
                case Decision.RunDecodeStep s -> {
                    for (long r : s.requests()) place(r, s.instance(), grow(r, 1));
                }
                case Decision.SwapOut s -> swapsOut.put(s.swapId(), s.requests());
                case Decision.SwapIn s -> {
                    long total = 0;
                    for (long r : s.requests()) {
                        long bytes = host.remove(r);
                        total += bytes;
                        place(r, s.instance(), bytes);
                    }
                    if (total != s.bytes() && violation == null) violation = "swap-in of " + s.bytes() + " B for " + total + " B of KV";
                }
            }
        }
    }

    @Override
    public void onFinish(long requestId, RequestState state, double time) {
        free(requestId);
        host.remove(requestId);
        tokens.remove(requestId);
    }
}
