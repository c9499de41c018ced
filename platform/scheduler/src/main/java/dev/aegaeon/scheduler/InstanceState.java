package dev.aegaeon.scheduler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scheduler's bookkeeping for one instance. Memory invariant: {@code usedBytes} = weights of
 * resident and loading models + KV reserved by requests whose KV is (or is being copied) on the
 * instance, and it never exceeds {@code spec.memoryBytes()}.
 */
final class InstanceState {
    final InstanceSpec spec;
    long usedBytes;
    /** Bytes that outstanding swap-outs will free when they complete. */
    long pendingFreeBytes;
    /** Weight pool: model -> residency, in insertion order. */
    final Map<String, Residency> resident = new LinkedHashMap<>();

    boolean busy;
    /** Model used by the outstanding compute decision (never evicted meanwhile). */
    String runningModel;
    PrefillGroup runningGroup;
    long runningStepId = -1;
    final List<Req> runningStep = new ArrayList<>();

    /** Prefill queue (PREFILL and COLOCATED roles), FCFS. */
    final ArrayDeque<PrefillGroup> groups = new ArrayDeque<>();
    /** Not-yet-started group per model that still has room. */
    final Map<String, PrefillGroup> openGroups = new HashMap<>();
    double queuedPrefillSeconds;

    /** Decode round (DECODE and COLOCATED roles). */
    final List<DecodeBatch> order = new ArrayList<>();
    final Map<String, DecodeBatch> batches = new HashMap<>();
    int current;
    boolean turnActive;
    double turnStart;
    double quotaEnd = Double.POSITIVE_INFINITY;

    static final class Residency {
        final ModelSpec model;
        boolean loading;
        double lastUse;

        Residency(ModelSpec model, boolean loading, double lastUse) {
            this.model = model;
            this.loading = loading;
            this.lastUse = lastUse;
        }
    }

    InstanceState(InstanceSpec spec) {
        this.spec = spec;
    }

    int id() {
        return spec.id();
    }

    long freeBytes() {
        return spec.memoryBytes() - usedBytes;
    }

    void reserve(long bytes) {
        if (bytes > freeBytes()) {
            throw new IllegalStateException("instance " + id() + ": reserving " + bytes + " B with only " + freeBytes() + " B free");
        }
        usedBytes += bytes;
    }

    void release(long bytes) {
        usedBytes -= bytes;
        if (usedBytes < 0) throw new IllegalStateException("instance " + id() + ": released more memory than reserved");
    }

    boolean ready(String model) {
        Residency r = resident.get(model);
        return r != null && !r.loading;
    }

    boolean residentOrLoading(String model) {
        return resident.containsKey(model);
    }

    DecodeBatch batchFor(ModelSpec model) {
        DecodeBatch b = batches.get(model.name());
        if (b == null) {
            b = new DecodeBatch(model, spec.id());
            batches.put(model.name(), b);
            order.add(b);
        }
        return b;
    }

    /** Drops idle entries from the round, keeping {@link #current} on the same batch or the next one. */
    void pruneRound() {
        for (int i = order.size() - 1; i >= 0; i--) {
            DecodeBatch b = order.get(i);
            if (b.idle()) {
                order.remove(i);
                batches.remove(b.model);
                if (i < current) current--;
                else if (i == current) turnActive = false;
            }
        }
        if (current >= order.size()) current = 0;
    }

    int activeRequests() {
        int n = 0;
        for (DecodeBatch b : order) n += b.members.size();
        return n;
    }
}
