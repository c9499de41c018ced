package dev.aegaeon.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Grouped FCFS prefill: places arriving requests into per-model groups on the prefill-capable
 * instances, and starts (or splits) the group at the head of an instance's queue.
 *
 * <p>Invariants: a not-yet-started group has at most {@code maxGroupSize} members and is the
 * {@code openGroups} entry of its model only while it has room; an instance's
 * {@code queuedPrefillSeconds} is the sum of its queued groups' estimates (never negative); a
 * colocated instance's decode batch counts its model's queued groups in {@code queuedGroups}; a
 * group starts only when its model is ready and its prompts' KV is reserved, so the
 * instance's memory invariant holds. Group ids are issued here, in order. Each model has a home:
 * the instance its newest group was placed on; a colocated instance that is not the model's home
 * counts one decode quota more, so a model's requests stay on one instance unless another would
 * start them a quota sooner (spread over two colocated GPUs, every model visited both and each
 * GPU switched among all of them: in simulation the home took two H100s from 16 to 24 functions).
 */
final class PrefillPlanner {
    private final Clock clock;
    private final SchedulerConfig config;
    private final Map<String, ModelSpec> models;
    private final List<InstanceState> prefillers;
    private final InstanceMemory memory;
    private final RoundEstimates estimates;
    private final Consumer<Decision> sink;
    private final Consumer<InstanceState> markDirty;
    private long nextGroupId = 1;
    /** Model name -> the instance its newest group was placed on. */
    private final Map<String, InstanceState> homes = new java.util.HashMap<>();

    PrefillPlanner(Clock clock, SchedulerConfig config, Map<String, ModelSpec> models, List<InstanceState> prefillers,
                   InstanceMemory memory, RoundEstimates estimates, Consumer<Decision> sink, Consumer<InstanceState> markDirty) {
        this.clock = clock;
        this.config = config;
        this.models = models;
        this.prefillers = prefillers;
        this.memory = memory;
        this.estimates = estimates;
        this.sink = sink;
        this.markDirty = markDirty;
    }

    /**
     * Queues the new request: into an open group of its model on any instance that may serve it,
     * else into a new group at the tail of the least-loaded such instance. Returns that instance,
     * or null when the request must be rejected (no instance could ever hold its weights and KV).
     */
    InstanceState place(Req r) {
        ModelSpec model = r.model;
        long footprint = model.weightBytes() + r.kvBytes();
        if (prefillers.stream().noneMatch(i -> i.spec.mayServe(model.name()) && i.spec.memoryBytes() >= footprint)) {
            // Not even an empty instance could hold the weights and this prompt's KV.
            return null;
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
                if (target == null || prefillLoad(inst, model, r) < prefillLoad(target, model, r)) target = inst;
            }
            if (target == null) return null;
            homes.put(model.name(), target);
            group = new PrefillGroup(nextGroupId++, model.name());
            String tail = target.groups.isEmpty() ? target.runningModel : target.groups.peekLast().model;
            boolean noSwitch = model.name().equals(tail) || target.residentOrLoading(model.name());
            group.estimatedSeconds = noSwitch ? 0 : estimates.switchSeconds(model);
            target.queuedPrefillSeconds += group.estimatedSeconds;
            target.groups.addLast(group);
            target.openGroups.put(model.name(), group);
            if (target.spec.role() == InstanceSpec.Role.COLOCATED) target.batchFor(model).queuedGroups++;
        }
        double before = estimates.prefillEstimate(group);
        group.members.add(r);
        r.group = group;
        double delta = estimates.prefillEstimate(group) - before;
        group.estimatedSeconds += delta;
        target.queuedPrefillSeconds += delta;
        if (group.members.size() >= config.maxGroupSize()) target.openGroups.remove(model.name());
        markDirty.accept(target);
        return target;
    }

    /**
     * How loaded the instance would be with a new group of {@code model} at its tail: its queued
     * work plus the switch that group would need there (none when the model is resident, loading,
     * or the tail's). Counting the newcomer's own switch keeps groups where their weights are. A
     * colocated instance also decodes the request afterwards, so its decode round counts too, as
     * the round's alpha once {@code r} has joined: joining its model's batch adds almost nothing,
     * a new batch adds a step and maybe a switch to every round, so a model's requests gather
     * where its batch already is instead of splitting into small batches on several instances;
     * and a colocated instance other than the model's home counts a quota more (see the class).
     */
    private double prefillLoad(InstanceState inst, ModelSpec model, Req r) {
        String tail = inst.groups.isEmpty() ? inst.runningModel : inst.groups.peekLast().model;
        boolean noSwitch = model.name().equals(tail) || inst.residentOrLoading(model.name());
        double l = inst.queuedPrefillSeconds + (noSwitch ? 0 : estimates.switchSeconds(model));
        if (inst.spec.role() == InstanceSpec.Role.COLOCATED) {
            l += estimates.roundAlpha(inst, model, r) * config.qmaxSeconds();
            InstanceState home = homes.get(model.name());
            if (home != null && home != inst) l += config.qmaxSeconds();
        }
        return l;
    }

    /** Takes a queued (not started) request out of its group, dropping the group when it empties. */
    void removeFromGroup(Req r) {
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
                    markDirty.accept(inst);
                }
            }
        }
    }

    /** A PREFILL instance's step: start its head group once the model is ready, prefetch the next. */
    void pumpPrefill(InstanceState inst) {
        PrefillGroup g = firstLiveGroup(inst);
        if (g == null) return;
        if (!memory.ensureModel(inst, models.get(g.model), null, null)) return;
        if (startPrefill(inst, g)) memory.prefetch(inst, nextGroupModel(inst, g.model), g.model);
    }

    /** Drops emptied groups from the queue's head; returns the head, or null. */
    PrefillGroup firstLiveGroup(InstanceState inst) {
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

    /**
     * True when the group's TTFT slack is below {@code urgencyFactor} times its estimated
     * switch + prefill cost, so it may preempt another model's decode turn.
     */
    boolean urgent(InstanceState inst, PrefillGroup g) {
        double need = estimates.prefillEstimate(g) + (inst.ready(g.model) ? 0 : estimates.switchSeconds(models.get(g.model)));
        return g.tightestTtft() - clock.now() <= config.urgencyFactor() * need;
    }

    /** Starts the group if its prompts' KV fits; the model must be ready. */
    boolean startPrefill(InstanceState inst, PrefillGroup g) {
        ModelSpec model = models.get(g.model);
        long need = 0;
        for (Req r : g.members) need += model.kvBytes(r.spec.promptTokens());
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
            r.reservedBytes = model.kvBytes(r.spec.promptTokens());
            r.kvTokens = r.spec.promptTokens();
            inst.reserve(r.reservedBytes);
        }
        inst.busy = true;
        inst.runningGroup = g;
        inst.runningModel = g.model;
        inst.resident.get(g.model).lastUse = clock.now();
        sink.accept(new Decision.RunPrefill(inst.id(), g.id, g.model, Req.ids(g.members)));
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
            long bytes = model.kvBytes(g.members.get(k).spec.promptTokens());
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
}
