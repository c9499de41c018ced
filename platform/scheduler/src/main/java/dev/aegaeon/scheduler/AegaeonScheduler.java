package dev.aegaeon.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Token-level auto-scaling after Aegaeon (SOSP '25): grouped FCFS prefill across models and
 * weighted round-robin decode with SLO-derived quotas, over instances in one of three roles.
 *
 * <p><b>Prefill</b> (PREFILL and COLOCATED instances). An arriving request joins a not-yet-started
 * group of its model that has fewer than {@code maxGroupSize} members on any instance that may
 * serve it; otherwise it opens a new group at the tail of the least-loaded instance (load = the
 * estimated seconds of its queued groups). A group starts only when its model is resident, so a
 * model switch happens only at a group boundary and at most one scale-up is issued per group;
 * when a group starts, the next group's model is prefetched if memory allows.
 *
 * <p><b>Decode</b> (DECODE and COLOCATED instances). One batch per model, visited in round-robin.
 * A batch's turn lasts its quota from {@link Quotas} (switch estimates from the {@link CostModel});
 * a batch alone on its instance has no quota. When a turn starts, the next batch's model is
 * prefetched. KV moves to host memory when space is needed (or, with {@code keepKvResident} off,
 * at every turn end while other batches wait) and back when its batch runs.
 *
 * <p><b>Disaggregated</b>: after prefill the KV is handed to a decode instance through host
 * memory (swap-out on the prefill instance, swap-in on the decode instance). The decode instance
 * is the one already holding a batch of the model if its round stays feasible ({@code alpha <= 1}),
 * else the one whose {@code alpha} after adding the request is lowest.
 *
 * <p><b>Colocated interleaving</b>: prefill groups are folded into the decode round. When the round
 * reaches model X, X's queued groups are prefilled first (the weights are resident anyway, and
 * their KV joins X's batch without a copy), then X decodes for its quota; a group of the model
 * currently decoding runs at the next step boundary. Prefill time is counted in the round's
 * overhead {@code c0}, so the quota formula still sizes the turns for every TPOT. TTFT is honoured
 * by urgency: a group of another model whose TTFT slack drops below {@code urgencyFactor} times
 * its estimated switch + prefill cost preempts the current turn at a step boundary. Why: prefill
 * is cheap but switching is not, so prefilling in model order saves loads; the quota keeps TPOT;
 * the slack test bounds TTFT even when the round is long.
 */
public final class AegaeonScheduler implements Scheduler {
    private final Clock clock;
    private final CostModel cost;
    private final SchedulerConfig config;
    private final SchedulerListener listener;
    private final Map<String, ModelSpec> models = new HashMap<>();
    private final List<InstanceState> instances = new ArrayList<>();
    private final List<InstanceState> prefillers = new ArrayList<>();
    private final List<InstanceState> decoders = new ArrayList<>();
    private final Map<Long, Req> requests = new HashMap<>();
    private final Set<InstanceState> dirty = new LinkedHashSet<>();
    private List<Decision> out = new ArrayList<>();
    private final InstanceMemory memory;
    private long nextGroupId = 1, nextStepId = 1;

    public AegaeonScheduler(Clock clock, CostModel cost, List<ModelSpec> modelSpecs, List<InstanceSpec> instanceSpecs,
                            SchedulerConfig config, SchedulerListener listener) {
        this.clock = clock;
        this.cost = cost;
        this.config = config;
        this.listener = listener == null ? SchedulerListener.NONE : listener;
        this.memory = new InstanceMemory(clock, config, this.listener, models, d -> out.add(d));
        for (ModelSpec m : modelSpecs) {
            if (models.put(m.name(), m) != null) throw new IllegalArgumentException("duplicate model " + m.name());
        }
        for (int i = 0; i < instanceSpecs.size(); i++) {
            InstanceSpec s = instanceSpecs.get(i);
            if (s.id() != i) throw new IllegalArgumentException("instance ids must be 0..n-1 in order; got " + s.id() + " at " + i);
            InstanceState st = new InstanceState(s);
            instances.add(st);
            if (s.role() != InstanceSpec.Role.DECODE) prefillers.add(st);
            if (s.role() != InstanceSpec.Role.PREFILL) decoders.add(st);
            for (String p : s.pinnedModels()) {
                if (!models.containsKey(p)) throw new IllegalArgumentException("instance " + i + " pins unknown model " + p);
            }
        }
        if (prefillers.isEmpty() || decoders.isEmpty()) {
            throw new IllegalArgumentException("need at least one instance that prefills and one that decodes");
        }
    }

    @Override
    public List<Decision> start() {
        for (InstanceState inst : instances) {
            for (String p : inst.spec.pinnedModels()) memory.ensureModel(inst, models.get(p), null, null);
        }
        return drain();
    }

    @Override
    public List<Decision> handle(Event event) {
        switch (event) {
            case Event.Arrival a -> onArrival(a.request());
            case Event.Cancel c -> onCancel(c.requestId());
            case Event.PrefillDone p -> onPrefillDone(instance(p.instance()), p);
            case Event.DecodeStepDone d -> onDecodeDone(instance(d.instance()), d);
            case Event.LoadDone l -> onLoadDone(instance(l.instance()), l.model());
            case Event.SwapDone s -> onSwapDone(s);
        }
        return drain();
    }

    @Override
    public RequestState state(long requestId) {
        Req r = requests.get(requestId);
        return r == null ? null : r.state;
    }

    /**
     * Makes a model known after construction (a function registered at run time). Registering the
     * same spec again is a no-op; a different spec under a known name is refused.
     */
    public void addModel(ModelSpec model) {
        ModelSpec old = models.putIfAbsent(model.name(), model);
        if (old != null && !old.equals(model)) {
            throw new IllegalArgumentException("model " + model.name() + " is already known as " + old);
        }
    }

    /**
     * Keep-warm (a function with minScale 1): loads the model on each instance that may serve it
     * and has free memory for it now; evicts nothing. Returns the decisions to submit.
     */
    public List<Decision> preload(String model) {
        ModelSpec m = models.get(model);
        if (m == null) throw new IllegalArgumentException("unknown model " + model);
        for (InstanceState inst : instances) {
            if (inst.spec.mayServe(model) && !inst.residentOrLoading(model) && inst.freeBytes() >= m.weightBytes()) {
                memory.load(inst, m, true);
            }
        }
        return drain();
    }

    /**
     * Scale-to-zero: drops the model's weights from every instance where it is idle (not running,
     * loading or pinned, no queued prefill, no decode batch). Returns the decisions to submit.
     */
    public List<Decision> evictIdle(String model) {
        for (InstanceState inst : instances) {
            DecodeBatch b = inst.batches.get(model);
            boolean queued = false;
            for (PrefillGroup g : inst.groups) queued |= g.model.equals(model) && !g.members.isEmpty();
            if ((b == null || b.idle()) && !queued && memory.evictable(inst, model, null, null)) memory.evict(inst, model);
        }
        return drain();
    }

    /** Bytes reserved on the instance (weights, KV, in-flight copies); never above its memory. */
    public long reservedBytes(int instance) {
        return instance(instance).usedBytes;
    }

    public Set<String> residentModels(int instance) {
        return Set.copyOf(instance(instance).resident.keySet());
    }

    /** Models with a non-empty decode batch somewhere (a model on two instances counts once per instance). */
    public int activeBatches() {
        int n = 0;
        for (InstanceState inst : decoders) {
            for (DecodeBatch b : inst.order) if (!b.members.isEmpty()) n++;
        }
        return n;
    }

    public int liveRequests() {
        return requests.size();
    }

    private InstanceState instance(int id) {
        if (id < 0 || id >= instances.size()) throw new IllegalArgumentException("unknown instance " + id);
        return instances.get(id);
    }

    private double now() {
        return clock.now();
    }

    private List<Decision> drain() {
        while (!dirty.isEmpty()) {
            var it = dirty.iterator();
            InstanceState inst = it.next();
            it.remove();
            pump(inst);
        }
        List<Decision> result = out;
        out = new ArrayList<>();
        return result;
    }

    // ---------------------------------------------------------------- arrivals and cancellation

    private void onArrival(RequestSpec spec) {
        ModelSpec model = models.get(spec.model());
        if (model == null) throw new IllegalArgumentException("request " + spec.id() + " names unknown model " + spec.model());
        if (requests.containsKey(spec.id())) throw new IllegalArgumentException("duplicate request id " + spec.id());
        Req r = new Req(spec, model);
        requests.put(spec.id(), r);
        long footprint = model.weightBytes() + r.kvBytes();
        if (prefillers.stream().noneMatch(i -> i.spec.mayServe(model.name()) && i.spec.memoryBytes() >= footprint)) {
            // Not even an empty instance could hold the weights and this prompt's KV.
            finish(r, RequestState.REJECTED);
            return;
        }
        InstanceState target = null;
        PrefillGroup group = null;
        for (InstanceState inst : prefillers) {
            if (!inst.spec.mayServe(model.name())) continue;
            PrefillGroup open = inst.openGroups.get(model.name());
            if (open != null) {
                target = inst;
                group = open;
                break;
            }
        }
        if (group == null) {
            for (InstanceState inst : prefillers) {
                if (!inst.spec.mayServe(model.name())) continue;
                if (target == null || prefillLoad(inst, model) < prefillLoad(target, model)) target = inst;
            }
            if (target == null) {
                finish(r, RequestState.REJECTED);
                return;
            }
            group = new PrefillGroup(nextGroupId++, model.name());
            String tail = target.groups.isEmpty() ? target.runningModel : target.groups.peekLast().model;
            boolean noSwitch = model.name().equals(tail) || target.residentOrLoading(model.name());
            group.estimatedSeconds = noSwitch ? 0 : switchSeconds(model);
            target.queuedPrefillSeconds += group.estimatedSeconds;
            target.groups.addLast(group);
            target.openGroups.put(model.name(), group);
            if (target.spec.role() == InstanceSpec.Role.COLOCATED) target.batchFor(model).queuedGroups++;
        }
        double before = prefillEstimate(group);
        group.members.add(r);
        r.group = group;
        double delta = prefillEstimate(group) - before;
        group.estimatedSeconds += delta;
        target.queuedPrefillSeconds += delta;
        if (group.members.size() >= config.maxGroupSize()) target.openGroups.remove(model.name());
        dirty.add(target);
    }

    /**
     * How loaded the instance would be with a new group of {@code model} at its tail: its queued
     * work plus the switch that group would need there (none when the model is resident, loading,
     * or the tail's). Counting the newcomer's own switch keeps groups where their weights are.
     */
    private double prefillLoad(InstanceState inst, ModelSpec model) {
        String tail = inst.groups.isEmpty() ? inst.runningModel : inst.groups.peekLast().model;
        boolean noSwitch = model.name().equals(tail) || inst.residentOrLoading(model.name());
        double l = inst.queuedPrefillSeconds + (noSwitch ? 0 : switchSeconds(model));
        if (inst.spec.role() == InstanceSpec.Role.COLOCATED) l += roundAlpha(inst, null, null) * config.qmaxSeconds();
        return l;
    }

    private void onCancel(long id) {
        Req r = requests.get(id);
        if (r == null || r.state.terminal()) return;
        if (r.inFlight) {
            r.cancelPending = true;
            return;
        }
        if (r.state == RequestState.QUEUED && r.group != null) removeFromGroup(r);
        finish(r, RequestState.CANCELLED);
    }

    private void removeFromGroup(Req r) {
        PrefillGroup g = r.group;
        g.members.remove(r);
        r.group = null;
        if (g.members.isEmpty()) {
            for (InstanceState inst : prefillers) {
                if (inst.groups.remove(g)) {
                    inst.openGroups.remove(g.model, g);
                    inst.queuedPrefillSeconds = Math.max(0, inst.queuedPrefillSeconds - g.estimatedSeconds);
                    DecodeBatch b = inst.batches.get(g.model);
                    if (b != null) {
                        b.queuedGroups--;
                        inst.pruneRound();
                    }
                    dirty.add(inst);
                }
            }
        }
    }

    /** Moves the request to a terminal state, releasing whatever it holds. */
    private void finish(Req r, RequestState state) {
        if (r.onDevice()) {
            InstanceState inst = instances.get(r.instance);
            inst.release(r.reservedBytes);
            r.reservedBytes = 0;
            r.instance = -1;
            dirty.add(inst);
        }
        r.hostBytes = 0;
        if (r.batch != null) {
            dirty.add(instances.get(r.batch.instance));
            r.batch.remove(r);
        }
        r.state = state;
        requests.remove(r.id());
        listener.onFinish(r.id(), state, now());
    }

    // ---------------------------------------------------------------- completions

    private void onPrefillDone(InstanceState inst, Event.PrefillDone e) {
        PrefillGroup g = inst.runningGroup;
        if (g == null || g.id != e.groupId()) throw new IllegalArgumentException("instance " + inst.id() + " is not running group " + e.groupId());
        inst.busy = false;
        inst.runningGroup = null;
        inst.runningModel = null;
        dirty.add(inst);
        double t = now();
        List<Req> handoff = new ArrayList<>();
        for (Req r : g.members) {
            r.inFlight = false;
            r.group = null;
            if (r.cancelPending) {
                finish(r, RequestState.CANCELLED);
                continue;
            }
            r.tokens = 1;
            listener.onToken(r.id(), 0, t);
            if (e.finished().contains(r.id()) || r.tokens >= r.spec.maxOutputTokens()) {
                finish(r, RequestState.FINISHED);
            } else if (inst.spec.role() == InstanceSpec.Role.COLOCATED) {
                r.state = RequestState.DECODING;
                inst.batchFor(r.model).add(r);
            } else {
                handoff.add(r);
            }
        }
        if (!handoff.isEmpty()) memory.swapOut(inst, handoff);
        if (inst.spec.role() == InstanceSpec.Role.COLOCATED) {
            DecodeBatch b = inst.batches.get(g.model);
            if (b != null) b.queuedGroups--;
            inst.pruneRound();
        }
    }

    private void onDecodeDone(InstanceState inst, Event.DecodeStepDone e) {
        if (inst.runningStepId != e.stepId()) throw new IllegalArgumentException("instance " + inst.id() + " is not running step " + e.stepId());
        inst.busy = false;
        inst.runningModel = null;
        inst.runningStepId = -1;
        dirty.add(inst);
        double t = now();
        boolean removed = false;
        for (Req r : inst.runningStep) {
            r.inFlight = false;
            if (r.cancelPending) {
                finish(r, RequestState.CANCELLED);
                removed = true;
                continue;
            }
            listener.onToken(r.id(), r.tokens, t);
            r.tokens++;
            r.batch.contextTokens++;
            if (e.finished().contains(r.id()) || r.tokens >= r.spec.maxOutputTokens()) {
                finish(r, RequestState.FINISHED);
                removed = true;
            }
        }
        inst.runningStep.clear();
        if (removed) inst.pruneRound();
    }

    private void onLoadDone(InstanceState inst, String model) {
        InstanceState.Residency res = inst.resident.get(model);
        if (res == null || !res.loading) throw new IllegalArgumentException("instance " + inst.id() + " was not loading " + model);
        res.loading = false;
        res.lastUse = now();
        dirty.add(inst);
    }

    private void onSwapDone(Event.SwapDone e) {
        InstanceMemory.Swap s = memory.complete(e.swapId());
        if (s == null || s.inst().id() != e.instance()) throw new IllegalArgumentException("unknown swap " + e.swapId() + " on instance " + e.instance());
        InstanceState inst = s.inst();
        dirty.add(inst);
        if (s.out()) {
            inst.release(s.bytes());
            inst.pendingFreeBytes -= s.bytes();
        }
        for (Req r : s.requests()) {
            r.inFlight = false;
            if (s.out()) {
                r.hostBytes = r.reservedBytes;
                r.reservedBytes = 0;
                r.instance = -1;
                r.state = RequestState.SWAPPED_OUT;
            } else {
                r.instance = inst.id();
                r.state = RequestState.DECODING;
            }
            if (r.cancelPending) {
                finish(r, RequestState.CANCELLED);
            } else if (r.batch == null) {
                handToDecoder(r);
            }
        }
        if (!s.out()) inst.pruneRound();
    }

    /** Disaggregated hand-off: the request's KV is in host memory; pick its decode instance. */
    private void handToDecoder(Req r) {
        InstanceState best = null;
        double bestAlpha = Double.POSITIVE_INFINITY;
        InstanceState sameModel = null;
        double sameAlpha = Double.POSITIVE_INFINITY;
        for (InstanceState inst : decoders) {
            if (!inst.spec.mayServe(r.model.name())) continue;
            double a = roundAlpha(inst, r.model, r);
            if (inst.batches.containsKey(r.model.name()) && a < sameAlpha) {
                sameModel = inst;
                sameAlpha = a;
            }
            if (a < bestAlpha) {
                best = inst;
                bestAlpha = a;
            }
        }
        InstanceState target = sameModel != null && sameAlpha <= 1.0 ? sameModel : best;
        if (target == null) {
            finish(r, RequestState.REJECTED);
            return;
        }
        r.state = RequestState.SWAPPED_OUT;
        target.batchFor(r.model).add(r);
        dirty.add(target);
    }

    /**
     * The paper's alpha for the instance's round, optionally with one more request of
     * {@code extraModel}: at most 1 means every batch can keep its TPOT.
     */
    private double roundAlpha(InstanceState inst, ModelSpec extraModel, Req extra) {
        int k = inst.order.size();
        boolean newBatch = extraModel != null && !inst.batches.containsKey(extraModel.name());
        if (k == 0 && extraModel == null) return 0;
        double sumInv = 0, minN = Double.POSITIVE_INFINITY, c0 = 0;
        for (DecodeBatch b : inst.order) {
            int size = b.members.size() + (extraModel != null && b.model.equals(extraModel.name()) ? 1 : 0);
            long ctx = b.contextTokens + (extraModel != null && b.model.equals(extraModel.name()) ? extra.spec.promptTokens() : 0);
            double d = cost.decodeStepSeconds(b.model, Math.max(1, size), ctx);
            double n = b.tpot / d;
            sumInv += 1 / n;
            minN = Math.min(minN, n);
            c0 += switchEstimate(inst, b.spec, k + (newBatch ? 1 : 0));
        }
        if (newBatch) {
            double d = cost.decodeStepSeconds(extraModel.name(), 1, extra.spec.promptTokens());
            double n = extra.spec.slo().tpotSeconds() / d;
            sumInv += 1 / n;
            minN = Math.min(minN, n);
            c0 += switchEstimate(inst, extraModel, k + 1);
        }
        if (k + (newBatch ? 1 : 0) <= 1) return sumInv;
        return c0 / (minN * config.qmaxSeconds()) + sumInv;
    }

    /** Switch cost of a model in a round of {@code batches}: a load unless it stays resident. */
    private double switchEstimate(InstanceState inst, ModelSpec m, int batches) {
        boolean willLoad = !inst.residentOrLoading(m.name()) || (!config.multiResident() && batches > 1);
        return willLoad ? switchSeconds(m) : 0;
    }

    private double switchSeconds(ModelSpec m) {
        return cost.loadSeconds(m.name(), m.weightBytes());
    }

    private double prefillEstimate(PrefillGroup g) {
        if (g.members.isEmpty()) return 0;
        return cost.prefillSeconds(g.model, g.members.size(), g.tokens(), g.tokensSquared());
    }

    // ---------------------------------------------------------------- the per-instance pump

    private void pump(InstanceState inst) {
        if (inst.busy) return;
        switch (inst.spec.role()) {
            case PREFILL -> pumpPrefill(inst);
            case DECODE -> pumpDecode(inst, selectBatch(inst));
            case COLOCATED -> pumpColocated(inst);
        }
    }

    private void pumpPrefill(InstanceState inst) {
        PrefillGroup g = firstLiveGroup(inst);
        if (g == null) return;
        if (!memory.ensureModel(inst, models.get(g.model), null, null)) return;
        if (startPrefill(inst, g)) memory.prefetch(inst, nextGroupModel(inst, g.model), g.model);
    }

    private PrefillGroup firstLiveGroup(InstanceState inst) {
        while (!inst.groups.isEmpty() && inst.groups.peekFirst().members.isEmpty()) {
            PrefillGroup dead = inst.groups.pollFirst();
            inst.openGroups.remove(dead.model, dead);
        }
        return inst.groups.peekFirst();
    }

    private String nextGroupModel(InstanceState inst, String current) {
        for (PrefillGroup g : inst.groups) {
            if (!g.members.isEmpty() && !g.model.equals(current)) return g.model;
        }
        return null;
    }

    /** Starts the group if its prompts' KV fits; the model must be ready. */
    private boolean startPrefill(InstanceState inst, PrefillGroup g) {
        ModelSpec model = models.get(g.model);
        long need = 0;
        for (Req r : g.members) need += (long) r.spec.promptTokens() * model.kvBytesPerToken();
        if (!memory.makeRoom(inst, need, g.model, null, null)) {
            if (inst.pendingFreeBytes > 0 || !splitToFit(inst, g, model)) return false;
        }
        inst.groups.remove(g);
        inst.openGroups.remove(g.model, g);
        inst.queuedPrefillSeconds = Math.max(0, inst.queuedPrefillSeconds - g.estimatedSeconds);
        g.started = true;
        for (Req r : g.members) {
            r.state = RequestState.PREFILLING;
            r.inFlight = true;
            r.instance = inst.id();
            r.reservedBytes = (long) r.spec.promptTokens() * model.kvBytesPerToken();
            inst.reserve(r.reservedBytes);
        }
        inst.busy = true;
        inst.runningGroup = g;
        inst.runningModel = g.model;
        inst.resident.get(g.model).lastUse = now();
        out.add(new Decision.RunPrefill(inst.id(), g.id, g.model, Req.ids(g.members)));
        return true;
    }

    /**
     * Memory cannot hold the whole group's prompts and nothing is on its way out: keep the prefix
     * that fits in {@code g} and move the rest to a new group at the head of the queue. False when
     * not even one prompt fits now.
     */
    private boolean splitToFit(InstanceState inst, PrefillGroup g, ModelSpec model) {
        int k = 0;
        long fit = 0;
        while (k < g.members.size()) {
            long bytes = (long) g.members.get(k).spec.promptTokens() * model.kvBytesPerToken();
            if (fit + bytes > inst.freeBytes()) break;
            fit += bytes;
            k++;
        }
        if (k == 0) return false;
        PrefillGroup rest = new PrefillGroup(nextGroupId++, g.model);
        while (g.members.size() > k) {
            Req r = g.members.removeLast();
            rest.members.addFirst(r);
            r.group = rest;
        }
        int at = 0;
        for (PrefillGroup q : inst.groups) {
            if (q == g) break;
            at++;
        }
        List<PrefillGroup> queue = new ArrayList<>(inst.groups);
        queue.add(at + 1, rest);
        inst.groups.clear();
        inst.groups.addAll(queue);
        if (inst.spec.role() == InstanceSpec.Role.COLOCATED) inst.batchFor(model).queuedGroups++;
        return true;
    }

    private void pumpColocated(InstanceState inst) {
        firstLiveGroup(inst);
        DecodeBatch b = selectBatch(inst);
        if (b == null) return;
        PrefillGroup oldest = inst.groups.peekFirst();
        if (oldest != null && !oldest.model.equals(b.model) && urgent(inst, oldest)) {
            // While an urgent group's model loads, the current batch keeps decoding.
            if (runColocatedGroup(inst, oldest, false, b.model)) return;
            if (inst.busy) return;
        }
        for (PrefillGroup g : inst.groups) {
            if (g.model.equals(b.model) && !g.members.isEmpty()) {
                runColocatedGroup(inst, g, true, null);
                return;
            }
        }
        pumpDecode(inst, b);
    }

    private boolean urgent(InstanceState inst, PrefillGroup g) {
        double need = prefillEstimate(g) + (inst.ready(g.model) ? 0 : switchSeconds(models.get(g.model)));
        return g.tightestTtft() - now() <= config.urgencyFactor() * need;
    }

    /** Starts the group if its model is ready (else starts its load); true when it started. */
    private boolean runColocatedGroup(InstanceState inst, PrefillGroup g, boolean partOfTurn, String keepModel) {
        ModelSpec model = models.get(g.model);
        DecodeBatch b = inst.batches.get(g.model);
        if (!memory.ensureModel(inst, model, b, keepModel)) return false;
        if (!startPrefill(inst, g)) return false;
        if (partOfTurn && !inst.turnActive) beginTurn(inst);
        return true;
    }

    /** Picks the batch whose turn it is, ending the current turn when its quota is spent. */
    private DecodeBatch selectBatch(InstanceState inst) {
        inst.pruneRound();
        if (inst.order.isEmpty()) return null;
        if (inst.current >= inst.order.size()) inst.current = 0;
        if (inst.turnActive) {
            if (inst.order.size() == 1) return inst.order.get(inst.current);
            if (inst.quotaEnd == Double.POSITIVE_INFINITY) inst.quotaEnd = inst.turnStart + quotaFor(inst, inst.current);
            if (now() < inst.quotaEnd) return inst.order.get(inst.current);
            endTurn(inst, inst.order.get(inst.current));
            inst.current = (inst.current + 1) % inst.order.size();
        }
        return inst.order.get(inst.current);
    }

    private void beginTurn(InstanceState inst) {
        inst.turnActive = true;
        inst.turnStart = now();
        inst.quotaEnd = inst.order.size() <= 1 ? Double.POSITIVE_INFINITY : now() + quotaFor(inst, inst.current);
        String current = inst.order.get(inst.current).model;
        String next = inst.order.size() > 1 ? inst.order.get((inst.current + 1) % inst.order.size()).model : null;
        if (!config.multiResident()) {
            // The paper's pool holds one model (plus the one being prefetched): drop the previous one.
            for (String other : List.copyOf(inst.resident.keySet())) {
                if (memory.evictable(inst, other, current, next)) memory.evict(inst, other);
            }
        }
        memory.prefetch(inst, next, current);
    }

    private void endTurn(InstanceState inst, DecodeBatch b) {
        inst.turnActive = false;
        inst.quotaEnd = Double.POSITIVE_INFINITY;
        if (config.keepKvResident()) return;
        List<Req> onDevice = new ArrayList<>();
        for (Req r : b.members) if (r.onDevice() && !r.inFlight) onDevice.add(r);
        if (!onDevice.isEmpty()) memory.swapOut(inst, onDevice);
    }

    private double quotaFor(InstanceState inst, int index) {
        int k = inst.order.size();
        double[] d = new double[k], tpot = new double[k];
        double c0 = 0;
        for (int i = 0; i < k; i++) {
            DecodeBatch b = inst.order.get(i);
            int waiting = 0;
            double prefill = 0;
            if (b.queuedGroups > 0) {
                for (PrefillGroup g : inst.groups) {
                    if (g.model.equals(b.model)) {
                        waiting += g.members.size();
                        prefill += prefillEstimate(g);
                    }
                }
            }
            d[i] = cost.decodeStepSeconds(b.model, Math.max(1, Math.min(config.maxDecodeBatch(), b.members.size() + waiting)), b.contextTokens);
            tpot[i] = b.tpot;
            long hostKv = 0;
            for (Req r : b.members) hostKv += r.hostBytes;
            c0 += switchEstimate(inst, b.spec, k) + (hostKv > 0 ? cost.swapSeconds(hostKv) : 0) + prefill;
        }
        double[] n = new double[k];
        for (int i = 0; i < k; i++) n[i] = tpot[i] / d[i];
        return Quotas.quotas(d, tpot, c0, Quotas.alpha(n, c0, config.qmaxSeconds()))[index];
    }

    private void pumpDecode(InstanceState inst, DecodeBatch b) {
        if (b == null || b.members.isEmpty()) return;
        if (!memory.ensureModel(inst, b.spec, b, null)) return;
        List<Req> runnable = new ArrayList<>();
        List<Req> toSwapIn = new ArrayList<>();
        long perToken = b.spec.kvBytesPerToken();
        for (Req r : b.members) {
            if (r.inFlight) continue;
            if (r.onDevice()) {
                if (runnable.size() < config.maxDecodeBatch()) runnable.add(r);
            } else if (runnable.size() + toSwapIn.size() < config.maxDecodeBatch()) {
                toSwapIn.add(r);
            }
        }
        if (!toSwapIn.isEmpty()) {
            long growth = (long) runnable.size() * perToken;
            List<Req> fit = new ArrayList<>();
            long bytes = 0;
            for (Req r : toSwapIn) {
                if (bytes + r.hostBytes + growth > inst.freeBytes()) break;
                bytes += r.hostBytes;
                fit.add(r);
            }
            if (fit.size() < toSwapIn.size()) {
                long want = growth;
                for (Req r : toSwapIn) want += r.hostBytes;
                memory.makeRoom(inst, want, b.model, b, null);
            }
            if (!fit.isEmpty()) memory.swapIn(inst, fit);
        }
        if (runnable.isEmpty()) return;
        long growth = (long) runnable.size() * perToken;
        if (!memory.makeRoom(inst, growth, b.model, b, null)) {
            if (inst.pendingFreeBytes > 0) return;
            if (runnable.size() == 1 && toSwapIn.isEmpty()) {
                // One sequence alone cannot grow: it has reached the memory's length limit.
                finish(runnable.getFirst(), RequestState.FINISHED);
                inst.pruneRound();
                return;
            }
            preempt(inst, runnable, growth);
            if (growth(runnable, perToken) > inst.freeBytes()) return;
            growth = growth(runnable, perToken);
        }
        for (Req r : runnable) {
            r.reservedBytes += perToken;
            r.inFlight = true;
        }
        inst.reserve(growth);
        if (!inst.turnActive) beginTurn(inst);
        inst.busy = true;
        inst.runningModel = b.model;
        inst.runningStepId = nextStepId++;
        inst.runningStep.addAll(runnable);
        inst.resident.get(b.model).lastUse = now();
        double left = inst.quotaEnd == Double.POSITIVE_INFINITY ? Double.POSITIVE_INFINITY : Math.max(0, inst.quotaEnd - now());
        out.add(new Decision.RunDecodeStep(inst.id(), inst.runningStepId, b.model, Req.ids(runnable), b.contextTokens, left));
    }

    private static long growth(List<Req> runnable, long perToken) {
        return (long) runnable.size() * perToken;
    }

    /** No memory for the batch to grow: swap out its newest members (they rejoin when space frees). */
    private void preempt(InstanceState inst, List<Req> runnable, long growth) {
        long perToken = runnable.getFirst().model.kvBytesPerToken();
        List<Req> victims = new ArrayList<>();
        while (runnable.size() > 1 && growth(runnable, perToken) > inst.freeBytes() + bytesOf(victims)) {
            victims.add(runnable.removeLast());
        }
        if (!victims.isEmpty()) memory.swapOut(inst, victims);
    }

    private static long bytesOf(List<Req> reqs) {
        long n = 0;
        for (Req r : reqs) n += r.reservedBytes;
        return n;
    }

}
