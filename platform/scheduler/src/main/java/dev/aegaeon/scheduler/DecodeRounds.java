package dev.aegaeon.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Weighted round-robin decode: which decode instance a handed-off request joins, whose turn it
 * is on an instance, how long a turn lasts (its quota), which members of the batch run a step,
 * and whom to preempt when the batch cannot grow.
 *
 * <p>Invariants: at most one turn is active per instance, and {@code quotaEnd} is infinite exactly
 * when no quota applies (no active turn, or a batch alone on its instance); a step runs at most
 * {@code maxDecodeBatch} members, each with one more token of KV reserved before the step is
 * issued, so the instance's memory invariant holds; preemption swaps out the members with the
 * most SLO slack and keeps at least one. Step ids are issued here, in order.
 */
final class DecodeRounds {
    private final Clock clock;
    private final SchedulerConfig config;
    private final List<InstanceState> decoders;
    private final InstanceMemory memory;
    private final RoundEstimates estimates;
    private final Consumer<Decision> sink;
    private final BiConsumer<Req, RequestState> finisher;
    private long nextStepId = 1;

    DecodeRounds(Clock clock, SchedulerConfig config, List<InstanceState> decoders, InstanceMemory memory,
                 RoundEstimates estimates, Consumer<Decision> sink, BiConsumer<Req, RequestState> finisher) {
        this.clock = clock;
        this.config = config;
        this.decoders = decoders;
        this.memory = memory;
        this.estimates = estimates;
        this.sink = sink;
        this.finisher = finisher;
    }

    /**
     * Disaggregated hand-off target: the instance already holding a batch of the model if its
     * round stays feasible ({@code alpha <= 1}) or if no instance would be feasible with the
     * request; else the one whose alpha with the request is lowest; null when no decode instance
     * may serve the model. Why the second case: joining a batch adds almost nothing to a round
     * (a step costs about the same at batch 1 and 8), while a new batch elsewhere adds a whole step
     * and possibly a switch to a round that cannot keep its TPOT either; spreading one model's
     * requests over overloaded instances only shrinks batches and multiplies steps.
     */
    InstanceState chooseDecoder(Req r) {
        InstanceState best = null;
        double bestAlpha = Double.POSITIVE_INFINITY;
        InstanceState sameModel = null;
        double sameAlpha = Double.POSITIVE_INFINITY;
        for (InstanceState inst : decoders) {
            if (!inst.spec.mayServe(r.model.name())) continue;
            double a = estimates.roundAlpha(inst, r.model, r);
            if (inst.batches.containsKey(r.model.name()) && a < sameAlpha) {
                sameModel = inst;
                sameAlpha = a;
            }
            if (a < bestAlpha) {
                best = inst;
                bestAlpha = a;
            }
        }
        return sameModel != null && (sameAlpha <= 1.0 || bestAlpha > 1.0) ? sameModel : best;
    }

    /** Picks the batch whose turn it is, ending the current turn when its quota is spent. */
    DecodeBatch selectBatch(InstanceState inst) {
        inst.pruneRound();
        if (inst.order.isEmpty()) return null;
        if (inst.current >= inst.order.size()) inst.current = 0;
        if (inst.turnActive) {
            if (inst.order.size() == 1) return inst.order.get(inst.current);
            if (inst.quotaEnd == Double.POSITIVE_INFINITY) inst.quotaEnd = inst.turnStart + estimates.quotaFor(inst, inst.current);
            if (clock.now() < inst.quotaEnd) return inst.order.get(inst.current);
            endTurn(inst, inst.order.get(inst.current));
            inst.current = (inst.current + 1) % inst.order.size();
        }
        return inst.order.get(inst.current);
    }

    /** Starts the current batch's turn: sets its quota and prefetches the next batch's model. */
    void beginTurn(InstanceState inst) {
        inst.turnActive = true;
        inst.turnStart = clock.now();
        inst.quotaEnd = inst.order.size() <= 1 ? Double.POSITIVE_INFINITY : clock.now() + estimates.quotaFor(inst, inst.current);
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

    /**
     * Issues one decode step of the batch once its model is ready: swaps in what fits, reserves
     * one token of KV per runnable member (preempting or finishing at the length limit when memory
     * is short) and starts the turn if none is active.
     */
    void pumpDecode(InstanceState inst, DecodeBatch b) {
        if (b == null || b.members.isEmpty()) return;
        if (!memory.ensureModel(inst, b.spec, b, null)) return;
        List<Req> runnable = new ArrayList<>();
        List<Req> toSwapIn = new ArrayList<>();
        for (Req r : b.members) {
            if (r.inFlight) continue;
            if (r.onDevice()) {
                if (runnable.size() < config.maxDecodeBatch()) runnable.add(r);
            } else if (runnable.size() + toSwapIn.size() < config.maxDecodeBatch()) {
                toSwapIn.add(r);
            }
        }
        if (!toSwapIn.isEmpty()) {
            long growth = growth(runnable);
            List<Req> fit = fitting(inst, toSwapIn, growth);
            if (fit.size() < toSwapIn.size()) {
                long want = growth;
                for (Req r : toSwapIn) want += r.hostBytes;
                // Evicting idle weights frees memory now and no event follows it: whatever fits
                // afterwards must be swapped in during this pass, or the instance waits forever.
                memory.makeRoom(inst, want, b.model, b, null);
                fit = fitting(inst, toSwapIn, growth);
            }
            if (!fit.isEmpty()) memory.swapIn(inst, fit);
        }
        if (runnable.isEmpty()) return;
        long growth = growth(runnable);
        if (!memory.makeRoom(inst, growth, b.model, b, null)) {
            if (inst.pendingFreeBytes > 0) return;
            if (runnable.size() == 1 && toSwapIn.isEmpty()) {
                // One sequence alone cannot grow: it has reached the memory's length limit.
                finisher.accept(runnable.getFirst(), RequestState.FINISHED);
                inst.pruneRound();
                return;
            }
            preempt(inst, runnable, growth);
            if (growth(runnable) > inst.freeBytes()) return;
            growth = growth(runnable);
        }
        for (Req r : runnable) {
            r.reservedBytes += r.stepGrowth();
            r.kvTokens++;
            r.inFlight = true;
        }
        inst.reserve(growth);
        if (!inst.turnActive) beginTurn(inst);
        inst.busy = true;
        inst.runningModel = b.model;
        inst.runningStepId = nextStepId++;
        inst.runningStep.addAll(runnable);
        inst.resident.get(b.model).lastUse = clock.now();
        double left = inst.quotaEnd == Double.POSITIVE_INFINITY ? Double.POSITIVE_INFINITY : Math.max(0, inst.quotaEnd - clock.now());
        sink.accept(new Decision.RunDecodeStep(inst.id(), inst.runningStepId, b.model, Req.ids(runnable), b.contextTokens, left));
    }

    /** The longest prefix of {@code candidates} whose KV fits beside {@code growth} bytes of step growth. */
    private static List<Req> fitting(InstanceState inst, List<Req> candidates, long growth) {
        List<Req> fit = new ArrayList<>();
        long bytes = 0;
        for (Req r : candidates) {
            if (bytes + r.hostBytes + growth > inst.freeBytes()) break;
            bytes += r.hostBytes;
            fit.add(r);
        }
        return fit;
    }

    /** Bytes one decode step of {@code runnable} adds: a page for each member that crosses a page boundary. */
    private static long growth(List<Req> runnable) {
        long n = 0;
        for (Req r : runnable) n += r.stepGrowth();
        return n;
    }

    /**
     * No memory for the batch to grow: swap out the members that can best afford to wait (they
     * rejoin when space frees), keeping at least one.
     */
    private void preempt(InstanceState inst, List<Req> runnable, long growth) {
        List<Req> order = preemptionOrder(runnable);
        List<Req> victims = new ArrayList<>();
        while (runnable.size() > 1 && growth(runnable) > inst.freeBytes() + bytesOf(victims)) {
            Req v = order.removeFirst();
            runnable.remove(v);
            victims.add(v);
        }
        if (!victims.isEmpty()) memory.swapOut(inst, victims);
    }

    /**
     * Who to swap out first: the member whose next token is due latest (arrival + TTFT + tokens x TPOT,
     * the SLO ledger's deadline), i.e. the most slack; on a tie the newest member, as vLLM preempts.
     */
    static List<Req> preemptionOrder(List<Req> runnable) {
        List<Req> order = new ArrayList<>(runnable);
        java.util.Collections.reverse(order); // newest first, kept by the stable sort on ties
        order.sort(java.util.Comparator.comparingDouble(DecodeRounds::nextTokenDue).reversed());
        return order;
    }

    private static double nextTokenDue(Req r) {
        return r.spec.arrivalSeconds() + r.spec.slo().ttftSeconds() + r.tokens * r.spec.slo().tpotSeconds();
    }

    private static long bytesOf(List<Req> reqs) {
        long n = 0;
        for (Req r : reqs) n += r.reservedBytes;
        return n;
    }
}
