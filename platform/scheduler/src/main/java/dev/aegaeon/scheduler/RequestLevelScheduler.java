package dev.aegaeon.scheduler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Request-level auto-scaling in the ServerlessLLM manner, for comparison: an instance holds one
 * model and switches only when it has no request left (a request boundary), loading the model of
 * the oldest waiting request with the same fast loader Aegaeon uses. A model already served takes
 * new requests onto its instance (continuous batching, prefill first, groups of up to 8); a request
 * whose model has no instance with room waits for an idle one. KV is reserved for the whole request
 * at admission, so memory is never over-committed and nothing is preempted.
 *
 * <p>The simulator compares it with {@link AegaeonScheduler} on modelled costs; the worker runs it
 * for real (pool policy {@code request-level}) on the same executor and device.
 */
public final class RequestLevelScheduler implements PoolScheduler {
    private static final int MAX_PREFILL = 8;

    private final Clock clock;
    private final SchedulerListener listener;
    private final Map<String, ModelSpec> models = new HashMap<>();
    private final List<Gpu> gpus = new ArrayList<>();
    private final Map<Long, R> live = new HashMap<>();
    private final Map<String, ArrayDeque<R>> pending = new HashMap<>();
    private final Set<Gpu> dirty = new LinkedHashSet<>();
    private final int maxBatch;
    private List<Decision> out = new ArrayList<>();
    private long nextId = 1;

    private static final class R {
        final RequestSpec spec;
        final ModelSpec model;
        RequestState state = RequestState.QUEUED;
        int tokens;
        long reserved;
        Gpu gpu;
        boolean cancelPending;

        R(RequestSpec spec, ModelSpec model) {
            this.spec = spec;
            this.model = model;
        }

        long fullKv() {
            return model.kvBytes((long) spec.promptTokens() + spec.maxOutputTokens());
        }
    }

    private static final class Gpu {
        final InstanceSpec spec;
        String model;
        boolean loading, busy;
        long used;
        long runningId = -1;
        /** When the instance last admitted a request or finished a step (least-recently-used placement). */
        double lastUse = Double.NEGATIVE_INFINITY;
        final List<R> running = new ArrayList<>();
        final List<R> waiting = new ArrayList<>();
        final List<R> decoding = new ArrayList<>();

        Gpu(InstanceSpec spec) {
            this.spec = spec;
        }

        boolean idle() {
            return !busy && !loading && waiting.isEmpty() && decoding.isEmpty();
        }

        long free() {
            return spec.memoryBytes() - used;
        }
    }

    public RequestLevelScheduler(Clock clock, List<ModelSpec> modelSpecs, List<InstanceSpec> instances, int maxBatch, SchedulerListener listener) {
        this.clock = clock;
        this.listener = listener == null ? SchedulerListener.NONE : listener;
        this.maxBatch = maxBatch;
        for (ModelSpec m : modelSpecs) models.put(m.name(), m);
        for (InstanceSpec s : instances) gpus.add(new Gpu(s));
    }

    @Override
    public List<Decision> start() {
        return List.of();
    }

    @Override
    public void addModel(ModelSpec model) {
        ModelSpec old = models.putIfAbsent(model.name(), model);
        if (old != null && !old.equals(model)) {
            throw new IllegalArgumentException("model " + model.name() + " is already known as " + old);
        }
    }

    /** Keep-warm: loads the model onto an instance that holds no model and has nothing to do; never evicts. */
    @Override
    public List<Decision> preload(String model) {
        ModelSpec m = models.get(model);
        if (m == null) throw new IllegalArgumentException("unknown model " + model);
        boolean held = false;
        for (Gpu g : gpus) held |= model.equals(g.model);
        if (!held) {
            for (Gpu g : gpus) {
                if (g.model == null && g.idle() && g.spec.mayServe(model) && m.weightBytes() <= g.free()) {
                    switchModel(g, m);
                    break;
                }
            }
        }
        return drain();
    }

    /** Scale-to-zero: an instance holding the model with nothing running, queued or loading gives it up. */
    @Override
    public List<Decision> evictIdle(String model) {
        for (Gpu g : gpus) {
            if (model.equals(g.model) && g.idle()) {
                g.used -= models.get(model).weightBytes();
                out.add(new Decision.EvictModel(g.spec.id(), model));
                g.model = null;
                dirty.add(g); // requests of other models may be pending for an instance
            }
        }
        return drain();
    }

    @Override
    public int workOn(int instance) {
        if (instance < 0 || instance >= gpus.size()) throw new IllegalArgumentException("unknown instance " + instance);
        Gpu g = gpus.get(instance);
        int n = g.waiting.size() + g.decoding.size();
        for (var e : pending.entrySet()) if (g.spec.mayServe(e.getKey())) n += e.getValue().size();
        return n;
    }

    @Override
    public RequestState state(long id) {
        R r = live.get(id);
        return r == null ? null : r.state;
    }

    @Override
    public List<Decision> handle(Event event) {
        switch (event) {
            case Event.Arrival a -> arrive(a.request());
            case Event.Cancel c -> cancel(c.requestId());
            case Event.PrefillDone p -> stepDone(gpus.get(p.instance()), p.finished(), true);
            case Event.DecodeStepDone d -> stepDone(gpus.get(d.instance()), d.finished(), false);
            case Event.LoadDone l -> {
                Gpu g = gpus.get(l.instance());
                g.loading = false;
                dirty.add(g);
            }
            case Event.SwapDone s -> throw new IllegalArgumentException("request-level scaling never swaps");
        }
        return drain();
    }

    /** Pumps every instance whose state changed, then hands over the decisions gathered. */
    private List<Decision> drain() {
        while (!dirty.isEmpty()) {
            var it = dirty.iterator();
            Gpu g = it.next();
            it.remove();
            pump(g);
        }
        List<Decision> result = out;
        out = new ArrayList<>();
        return result;
    }

    private void arrive(RequestSpec spec) {
        ModelSpec model = models.get(spec.model());
        if (model == null) throw new IllegalArgumentException("request " + spec.id() + " names unknown model " + spec.model());
        R r = new R(spec, model);
        live.put(spec.id(), r);
        if (gpus.stream().noneMatch(g -> g.spec.mayServe(model.name()) && model.weightBytes() + r.fullKv() <= g.spec.memoryBytes())) {
            end(r, RequestState.REJECTED);
            return;
        }
        Gpu best = null;
        for (Gpu g : gpus) {
            if (spec.model().equals(g.model) && fits(g, r) && (best == null || active(g) < active(best))) best = g;
        }
        if (best == null) best = idleGpu(model);
        if (best == null) {
            pending.computeIfAbsent(spec.model(), k -> new ArrayDeque<>()).add(r);
            return;
        }
        if (!spec.model().equals(best.model)) switchModel(best, model);
        admit(best, r);
    }

    /**
     * The idle instance to serve a model that no instance takes now, as ServerlessLLM places: one
     * that already holds the model (no load), else one holding no model (no eviction), else the
     * least recently used (its model is the least likely to be wanted back); ties go to the lowest id.
     */
    private Gpu idleGpu(ModelSpec model) {
        Gpu best = null;
        for (Gpu g : gpus) {
            if (!g.idle() || !g.spec.mayServe(model.name()) || model.weightBytes() >= g.spec.memoryBytes()) continue;
            if (best == null || placementRank(g, model) < placementRank(best, model)
                    || placementRank(g, model) == placementRank(best, model) && g.lastUse < best.lastUse) best = g;
        }
        return best;
    }

    /** 0: holds the model, 1: holds none, 2: holds another model. */
    private static int placementRank(Gpu g, ModelSpec model) {
        if (model.name().equals(g.model)) return 0;
        return g.model == null ? 1 : 2;
    }

    private int active(Gpu g) {
        return g.waiting.size() + g.decoding.size();
    }

    private boolean fits(Gpu g, R r) {
        return active(g) < maxBatch && g.free() >= r.fullKv();
    }

    private void switchModel(Gpu g, ModelSpec model) {
        if (g.model != null) {
            g.used -= models.get(g.model).weightBytes();
            out.add(new Decision.EvictModel(g.spec.id(), g.model));
        }
        g.model = model.name();
        g.loading = true;
        g.used += model.weightBytes();
        out.add(new Decision.LoadModel(g.spec.id(), model.name(), model.weightBytes(), false));
        listener.onLoad(g.spec.id(), model.name(), model.weightBytes(), false, clock.now());
    }

    private void admit(Gpu g, R r) {
        r.gpu = g;
        g.lastUse = clock.now();
        r.reserved = r.fullKv();
        g.used += r.reserved;
        g.waiting.add(r);
        dirty.add(g);
    }

    private void cancel(long id) {
        R r = live.get(id);
        if (r == null) return;
        if (r.gpu != null && r.gpu.running.contains(r)) {
            r.cancelPending = true;
            return;
        }
        if (r.gpu == null) pending.get(r.spec.model()).remove(r);
        end(r, RequestState.CANCELLED);
    }

    private void end(R r, RequestState state) {
        if (r.gpu != null) {
            r.gpu.used -= r.reserved;
            r.gpu.waiting.remove(r);
            r.gpu.decoding.remove(r);
            dirty.add(r.gpu);
        }
        r.state = state;
        live.remove(r.spec.id());
        listener.onFinish(r.spec.id(), state, clock.now());
    }

    private void stepDone(Gpu g, Set<Long> finished, boolean prefill) {
        g.busy = false;
        g.lastUse = clock.now();
        dirty.add(g);
        double t = clock.now();
        for (R r : g.running) {
            if (r.cancelPending) {
                end(r, RequestState.CANCELLED);
                continue;
            }
            listener.onToken(r.spec.id(), r.tokens, t);
            r.tokens++;
            if (prefill) {
                g.waiting.remove(r);
                g.decoding.add(r);
                r.state = RequestState.DECODING;
            }
            if (finished.contains(r.spec.id()) || r.tokens >= r.spec.maxOutputTokens()) end(r, RequestState.FINISHED);
        }
        g.running.clear();
    }

    private void pump(Gpu g) {
        if (g.busy || g.loading) return;
        if (g.model != null) {
            ArrayDeque<R> q = pending.get(g.model);
            while (q != null && !q.isEmpty() && fits(g, q.peekFirst())) admit(g, q.pollFirst());
        }
        if (g.waiting.isEmpty() && g.decoding.isEmpty()) {
            R oldest = null;
            for (ArrayDeque<R> q : pending.values()) {
                if (!q.isEmpty() && g.spec.mayServe(q.peekFirst().spec.model())
                        && (oldest == null || q.peekFirst().spec.arrivalSeconds() < oldest.spec.arrivalSeconds())) oldest = q.peekFirst();
            }
            if (oldest == null) return;
            switchModel(g, oldest.model);
            ArrayDeque<R> q = pending.get(oldest.spec.model());
            while (!q.isEmpty() && fits(g, q.peekFirst())) admit(g, q.pollFirst());
            return;
        }
        g.busy = true;
        g.runningId = nextId++;
        if (!g.waiting.isEmpty()) {
            for (R r : g.waiting) {
                if (g.running.size() == MAX_PREFILL) break;
                g.running.add(r);
                r.state = RequestState.PREFILLING;
            }
            out.add(new Decision.RunPrefill(g.spec.id(), g.runningId, g.model, ids(g.running)));
        } else {
            long ctx = 0;
            for (R r : g.decoding) {
                g.running.add(r);
                ctx += r.spec.promptTokens() + r.tokens;
            }
            out.add(new Decision.RunDecodeStep(g.spec.id(), g.runningId, g.model, ids(g.running), ctx, Double.POSITIVE_INFINITY));
        }
    }

    private static List<Long> ids(List<R> rs) {
        List<Long> ids = new ArrayList<>(rs.size());
        for (R r : rs) ids.add(r.spec.id());
        return ids;
    }
}
