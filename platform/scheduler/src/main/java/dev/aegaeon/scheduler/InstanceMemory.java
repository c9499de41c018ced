package dev.aegaeon.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Weights and KV on instances: loads, prefetches, evictions and swaps, with the reservations that
 * keep every instance's {@code usedBytes} within its memory. Decisions go to {@code sink}; swaps
 * stay registered until {@link #complete} (their bytes are freed by the caller then).
 */
final class InstanceMemory {
    record Swap(InstanceState inst, List<Req> requests, long bytes, boolean out) {}

    private final Clock clock;
    private final SchedulerConfig config;
    private final SchedulerListener listener;
    private final Map<String, ModelSpec> models;
    private final Consumer<Decision> sink;
    private final Map<Long, Swap> swaps = new HashMap<>();
    private long nextSwapId = 1;

    InstanceMemory(Clock clock, SchedulerConfig config, SchedulerListener listener, Map<String, ModelSpec> models, Consumer<Decision> sink) {
        this.clock = clock;
        this.config = config;
        this.listener = listener;
        this.models = models;
        this.sink = sink;
    }

    /** The swap with this id, now complete and forgotten; null when unknown. */
    Swap complete(long swapId) {
        return swaps.remove(swapId);
    }

    /** Requests being handed off from the instance: in an outstanding swap and in no decode batch yet. */
    int handoffsFrom(InstanceState inst) {
        int n = 0;
        for (Swap s : swaps.values()) {
            if (s.inst() != inst) continue;
            for (Req r : s.requests()) if (r.batch == null) n++;
        }
        return n;
    }

    void swapOut(InstanceState inst, List<Req> reqs) {
        long bytes = 0;
        for (Req r : reqs) {
            r.inFlight = true;
            bytes += r.reservedBytes;
        }
        long id = nextSwapId++;
        swaps.put(id, new Swap(inst, List.copyOf(reqs), bytes, true));
        inst.pendingFreeBytes += bytes;
        sink.accept(new Decision.SwapOut(inst.id(), id, Req.ids(reqs), bytes));
    }

    void swapIn(InstanceState inst, List<Req> reqs) {
        long bytes = 0;
        for (Req r : reqs) {
            r.inFlight = true;
            r.reservedBytes = r.hostBytes;
            r.hostBytes = 0;
            bytes += r.reservedBytes;
        }
        inst.reserve(bytes);
        long id = nextSwapId++;
        swaps.put(id, new Swap(inst, List.copyOf(reqs), bytes, false));
        sink.accept(new Decision.SwapIn(inst.id(), id, Req.ids(reqs), bytes));
    }

    /** True when the model is ready on the instance; otherwise starts (or waits for) its load. */
    boolean ensureModel(InstanceState inst, ModelSpec model, DecodeBatch protect, String keepModel) {
        InstanceState.Residency res = inst.resident.get(model.name());
        if (res != null) {
            res.lastUse = clock.now();
            return !res.loading;
        }
        if (!config.multiResident()) {
            for (String other : List.copyOf(inst.resident.keySet())) {
                if (evictable(inst, other, model.name(), keepModel)) evict(inst, other);
            }
        }
        if (!makeRoom(inst, model.weightBytes(), model.name(), protect, keepModel)) return false;
        load(inst, model, false);
        return false;
    }

    void load(InstanceState inst, ModelSpec model, boolean prefetch) {
        inst.reserve(model.weightBytes());
        inst.resident.put(model.name(), new InstanceState.Residency(model, true, clock.now()));
        sink.accept(new Decision.LoadModel(inst.id(), model.name(), model.weightBytes(), prefetch));
        listener.onLoad(inst.id(), model.name(), model.weightBytes(), prefetch, clock.now());
    }

    /** Loads the next model ahead of need if that takes only free memory or idle weights. */
    void prefetch(InstanceState inst, String next, String current) {
        if (next == null || next.equals(current) || inst.residentOrLoading(next)) return;
        ModelSpec model = models.get(next);
        long evictableBytes = 0;
        for (String m : inst.resident.keySet()) {
            if (evictable(inst, m, current, next)) evictableBytes += inst.resident.get(m).model.weightBytes();
        }
        if (inst.freeBytes() + evictableBytes < model.weightBytes()) return;
        if (!config.multiResident() && inst.resident.size() > 1) return;
        evictUntil(inst, model.weightBytes(), current, next);
        if (inst.freeBytes() >= model.weightBytes()) load(inst, model, true);
    }

    boolean evictable(InstanceState inst, String model, String keepA, String keepB) {
        InstanceState.Residency r = inst.resident.get(model);
        return r != null && !r.loading && !model.equals(keepA) && !model.equals(keepB)
                && !model.equals(inst.runningModel) && !inst.spec.pinnedModels().contains(model);
    }

    void evict(InstanceState inst, String model) {
        InstanceState.Residency r = inst.resident.remove(model);
        inst.release(r.model.weightBytes());
        sink.accept(new Decision.EvictModel(inst.id(), model));
    }

    /** Evicts idle weights, least recently used first, until {@code need} bytes are free. */
    void evictUntil(InstanceState inst, long need, String keepA, String keepB) {
        while (inst.freeBytes() < need) {
            String victim = null;
            double oldest = Double.POSITIVE_INFINITY;
            for (var e : inst.resident.entrySet()) {
                if (evictable(inst, e.getKey(), keepA, keepB) && e.getValue().lastUse < oldest) {
                    oldest = e.getValue().lastUse;
                    victim = e.getKey();
                }
            }
            if (victim == null) return;
            evict(inst, victim);
        }
    }

    /**
     * Frees memory for {@code need} bytes: idle weights first, then the KV of other batches
     * (swapped out, freed when the copy completes). True when the bytes are free now.
     */
    boolean makeRoom(InstanceState inst, long need, String keepModel, DecodeBatch keepBatch, String keepB) {
        if (inst.freeBytes() >= need) return true;
        evictUntil(inst, need, keepModel, keepB);
        if (inst.freeBytes() >= need) return true;
        if (inst.freeBytes() + inst.pendingFreeBytes >= need) return false;
        List<Req> victims = new ArrayList<>();
        long freed = 0;
        int k = inst.order.size();
        for (int step = k - 1; step >= 0 && inst.freeBytes() + inst.pendingFreeBytes + freed < need; step--) {
            DecodeBatch o = inst.order.get((inst.current + step) % k);
            if (o == keepBatch) continue;
            for (Req r : o.members) {
                if (r.onDevice() && !r.inFlight) {
                    victims.add(r);
                    freed += r.reservedBytes;
                    if (inst.freeBytes() + inst.pendingFreeBytes + freed >= need) break;
                }
            }
        }
        if (!victims.isEmpty()) swapOut(inst, victims);
        return false;
    }
}
