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
 * is the one already holding a batch of the model if its round stays feasible ({@code alpha <= 1})
 * or no instance would stay feasible, else the one whose {@code alpha} after adding the request is lowest.
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
 *
 * <p>This class keeps the public API, event dispatch and request bookkeeping; the policies live
 * in package-private collaborators: {@link PrefillPlanner} (grouping, placement, starting and
 * splitting groups), {@link DecodeRounds} (decode placement, turns, quotas, step selection,
 * preemption), {@link RoundEstimates} (cost-model estimates and alpha) and {@link InstanceMemory}
 * (weights, KV and swaps). All run on the caller's thread inside {@link #handle}, so decisions
 * stay deterministic for a given event sequence.
 */
public final class AegaeonScheduler implements PoolScheduler {
    private final Clock clock;
    private final SchedulerListener listener;
    private final Map<String, ModelSpec> models = new HashMap<>();
    private final List<InstanceState> instances = new ArrayList<>();
    private final List<InstanceState> prefillers = new ArrayList<>();
    private final List<InstanceState> decoders = new ArrayList<>();
    private final Map<Long, Req> requests = new HashMap<>();
    private final Set<InstanceState> dirty = new LinkedHashSet<>();
    private List<Decision> out = new ArrayList<>();
    private final InstanceMemory memory;
    private final PrefillPlanner prefill;
    private final DecodeRounds rounds;
    /** PREFILL instances decode their own requests while no prefill is queued there ({@link SchedulerConfig#prefillDecodesWhenIdle}). */
    private final boolean prefillDecodesWhenIdle;

    public AegaeonScheduler(Clock clock, CostModel cost, List<ModelSpec> modelSpecs, List<InstanceSpec> instanceSpecs,
                            SchedulerConfig config, SchedulerListener listener) {
        this.clock = clock;
        this.prefillDecodesWhenIdle = config.prefillDecodesWhenIdle();
        this.listener = listener == null ? SchedulerListener.NONE : listener;
        this.memory = new InstanceMemory(clock, config, this.listener, models, d -> out.add(d));
        RoundEstimates estimates = new RoundEstimates(cost, config);
        this.prefill = new PrefillPlanner(clock, config, models, prefillers, memory, estimates, d -> out.add(d), dirty::add);
        this.rounds = new DecodeRounds(clock, config, decoders, memory, estimates, d -> out.add(d), this::finish);
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
    @Override
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
    @Override
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
    @Override
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

    @Override
    public int workOn(int instance) {
        InstanceState inst = instance(instance);
        int n = 0;
        for (PrefillGroup g : inst.groups) n += g.members.size();
        if (inst.runningGroup != null) n += inst.runningGroup.members.size();
        for (DecodeBatch b : inst.order) n += b.members.size();
        return n + memory.handoffsFrom(inst);
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
        if (prefill.place(r) == null) finish(r, RequestState.REJECTED);
    }

    private void onCancel(long id) {
        Req r = requests.get(id);
        if (r == null || r.state.terminal()) return;
        if (r.inFlight) {
            r.cancelPending = true;
            return;
        }
        if (r.state == RequestState.QUEUED && r.group != null) prefill.removeFromGroup(r);
        finish(r, RequestState.CANCELLED);
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
        boolean decodeHere = inst.spec.role() == InstanceSpec.Role.COLOCATED || decodesWhileIdle(inst);
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
            } else if (decodeHere) {
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
        InstanceState target = rounds.chooseDecoder(r);
        if (target == null) {
            finish(r, RequestState.REJECTED);
            return;
        }
        r.state = RequestState.SWAPPED_OUT;
        target.batchFor(r.model).add(r);
        dirty.add(target);
    }

    // ---------------------------------------------------------------- the per-instance pump

    private void pump(InstanceState inst) {
        if (inst.busy) return;
        switch (inst.spec.role()) {
            case PREFILL -> {
                if (prefillDecodesWhenIdle && !inst.order.isEmpty()) {
                    if (nothingQueued(inst)) {
                        rounds.pumpDecode(inst, rounds.selectBatch(inst));
                        return;
                    }
                    handOffLocalDecodes(inst); // a prefill is queued: it comes first
                }
                prefill.pumpPrefill(inst);
            }
            case DECODE -> rounds.pumpDecode(inst, rounds.selectBatch(inst));
            case COLOCATED -> pumpColocated(inst);
        }
    }

    /** A PREFILL instance with nothing queued to prefill (and the option on) decodes the group it just prefilled. */
    private boolean decodesWhileIdle(InstanceState inst) {
        return prefillDecodesWhenIdle && inst.spec.role() == InstanceSpec.Role.PREFILL && nothingQueued(inst);
    }

    private boolean nothingQueued(InstanceState inst) { return prefill.firstLiveGroup(inst) == null; }

    /**
     * Hands every request a PREFILL instance decodes to the decode instances, as after a prefill:
     * KV on the device is swapped out first, KV already in host memory goes to a decoder at once.
     * Requests in the middle of a swap stay until it lands and go at the next pump.
     */
    private void handOffLocalDecodes(InstanceState inst) {
        List<Req> onDevice = new ArrayList<>();
        for (DecodeBatch b : List.copyOf(inst.order)) {
            for (Req r : List.copyOf(b.members)) {
                if (r.inFlight) continue;
                b.remove(r);
                if (r.onDevice()) {
                    onDevice.add(r);
                } else {
                    handToDecoder(r);
                }
            }
        }
        inst.pruneRound();
        if (!onDevice.isEmpty()) memory.swapOut(inst, onDevice);
    }

    private void pumpColocated(InstanceState inst) {
        prefill.firstLiveGroup(inst);
        DecodeBatch b = rounds.selectBatch(inst);
        if (b == null) return;
        PrefillGroup oldest = inst.groups.peekFirst();
        if (oldest != null && !oldest.model.equals(b.model) && prefill.urgent(inst, oldest)) {
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
        rounds.pumpDecode(inst, b);
    }

    /** Starts the group if its model is ready (else starts its load); true when it started. */
    private boolean runColocatedGroup(InstanceState inst, PrefillGroup g, boolean partOfTurn, String keepModel) {
        ModelSpec model = models.get(g.model);
        DecodeBatch b = inst.batches.get(g.model);
        if (!memory.ensureModel(inst, model, b, keepModel)) return false;
        if (!prefill.startPrefill(inst, g)) return false;
        if (partOfTurn && !inst.turnActive) rounds.beginTurn(inst);
        return true;
    }
}
