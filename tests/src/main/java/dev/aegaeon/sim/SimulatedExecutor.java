package dev.aegaeon.sim;

import dev.aegaeon.scheduler.CostModel;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.Executor;
import dev.aegaeon.scheduler.RequestSpec;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Executes decisions on a virtual clock with a cost model: compute takes the modelled step time;
 * loads, the frees of evicted models and swap-ins share one host-to-device copy engine per
 * instance (as the worker's copy thread), swap-outs a device-to-host engine, each serial. Completions are handed to {@code schedule(time, event)}.
 * Knows each request's true output length, so it reports end of sequence as a worker would.
 *
 * <p>Host memory for swapped-out KV is bounded as the worker bounds it ({@link Trace#kvSwapBytesPerGpu()}
 * per GPU, the host copy fp32 and so {@link #HOST_BYTES_PER_DEVICE_BYTE} times the device's bytes): a
 * swap-out past it drops the request's KV, taking no copy time, and its swap-in recomputes it, a
 * prefill of the request's tokens so far. Swap-outs of prefill instances are hand-offs, which the
 * worker copies device to device, so they take no host memory.
 */
public final class SimulatedExecutor implements Executor {
    /** Where the free of an evicted model ({@link CostModel#evictSeconds}) spends its time. */
    public enum Evictions {
        /** On the instance's copy engine, in order with loads: the worker, which frees on the device's copy thread. */
        COPY_ENGINE,
        /**
         * On the scheduler's thread, after the copy in flight on that instance (the free waited for the
         * load stream): no decision anywhere starts until it ends. The worker before 2026-12-07 evening,
         * whose 16-function H100 run this replays.
         */
        BLOCKING_SCHEDULER
    }

    private final CostModel cost;
    private final Evictions evictions;
    /** Under {@link Evictions#BLOCKING_SCHEDULER}: no decision starts before this time. */
    private double blockedUntil;
    private final VirtualClock clock;
    private final BiConsumer<Double, Event> schedule;
    private final int[] prompt, outputTokens, emitted;
    private final int[] gpusPerInstance;
    private final double[] h2dFree, d2hFree;
    private double busyGpuSeconds;
    private long computeDecisions;
    /** The worker's host copy of KV is fp32 for the device's bf16 ({@code KvHostLayout}). */
    static final int HOST_BYTES_PER_DEVICE_BYTE = 2;
    private final String[] model;
    private final boolean[] handoffSource;
    private final long hostBudget;
    /** Per request: device bytes of its KV in host memory, or whether it was dropped for recompute. */
    private final long[] outBytes;
    private final boolean[] dropped;
    /** Device bytes of KV in host memory now (swapped out and not yet back), and the most at once. */
    private long swappedBytes, peakSwappedBytes, recomputes;

    /** Every instance colocated or decoding (its swap-outs take host memory). */
    public SimulatedExecutor(CostModel cost, VirtualClock clock, Trace trace, int[] gpusPerInstance, BiConsumer<Double, Event> schedule) {
        this(cost, clock, trace, gpusPerInstance, new boolean[gpusPerInstance.length], schedule);
    }

    /** @param handoffSource per instance: true for a prefill instance, whose swap-outs are hand-offs */
    public SimulatedExecutor(CostModel cost, VirtualClock clock, Trace trace, int[] gpusPerInstance, boolean[] handoffSource,
                             BiConsumer<Double, Event> schedule) {
        this(cost, clock, trace, gpusPerInstance, handoffSource, schedule, Evictions.COPY_ENGINE);
    }

    public SimulatedExecutor(CostModel cost, VirtualClock clock, Trace trace, int[] gpusPerInstance, boolean[] handoffSource,
                             BiConsumer<Double, Event> schedule, Evictions evictions) {
        this.cost = cost;
        this.evictions = evictions;
        this.clock = clock;
        this.schedule = schedule;
        int n = trace.requests().size();
        this.prompt = new int[n];
        this.outputTokens = trace.outputTokens().clone();
        this.emitted = new int[n];
        for (int i = 0; i < n; i++) prompt[i] = trace.requests().get(i).promptTokens();
        this.gpusPerInstance = gpusPerInstance.clone();
        this.h2dFree = new double[gpusPerInstance.length];
        this.d2hFree = new double[gpusPerInstance.length];
        this.model = trace.requests().stream().map(RequestSpec::model).toArray(String[]::new);
        this.handoffSource = handoffSource.clone();
        long gpus = 0;
        for (int g : gpusPerInstance) gpus += g;
        this.hostBudget = trace.kvSwapBytesPerGpu() > Long.MAX_VALUE / Math.max(1, gpus) ? Long.MAX_VALUE : trace.kvSwapBytesPerGpu() * gpus;
        this.outBytes = new long[n];
        this.dropped = new boolean[n];
    }

    @Override
    public void submit(Decision d) {
        double now = Math.max(clock.now(), blockedUntil);
        switch (d) {
            case Decision.RunPrefill p -> {
                long t = 0, t2 = 0;
                Set<Long> finished = null;
                for (long id : p.requests()) {
                    int i = (int) id;
                    t += prompt[i];
                    t2 += (long) prompt[i] * prompt[i];
                    emitted[i] = 1;
                    if (outputTokens[i] <= 1) (finished == null ? finished = new HashSet<>() : finished).add(id);
                }
                double dur = cost.prefillSeconds(p.model(), p.requests().size(), t, t2);
                compute(p.instance(), dur);
                schedule.accept(now + dur, new Event.PrefillDone(p.instance(), p.groupId(), finished == null ? Set.of() : finished));
            }
            case Decision.RunDecodeStep s -> {
                Set<Long> finished = null;
                List<Long> ids = s.requests();
                for (int k = 0; k < ids.size(); k++) {
                    int i = (int) (long) ids.get(k);
                    if (++emitted[i] >= outputTokens[i]) (finished == null ? finished = new HashSet<>() : finished).add(ids.get(k));
                }
                double dur = cost.decodeStepSeconds(s.model(), ids.size(), s.contextTokens());
                compute(s.instance(), dur);
                schedule.accept(now + dur, new Event.DecodeStepDone(s.instance(), s.stepId(), finished == null ? Set.of() : finished));
            }
            case Decision.LoadModel l -> {
                double end = Math.max(now, h2dFree[l.instance()]) + cost.loadSeconds(l.model(), l.bytes());
                h2dFree[l.instance()] = end;
                schedule.accept(end, new Event.LoadDone(l.instance(), l.model()));
            }
            case Decision.SwapIn s -> {
                long[] shares = shares(s.requests(), s.bytes());
                long copied = 0;
                double recompute = 0;
                for (int k = 0; k < shares.length; k++) {
                    int i = (int) (long) s.requests().get(k);
                    if (dropped[i]) {
                        long tokens = prompt[i] + emitted[i];
                        recompute += cost.prefillSeconds(model[i], 1, tokens, tokens * tokens);
                    } else {
                        copied += shares[k];
                    }
                    swappedBytes -= outBytes[i];
                    outBytes[i] = 0;
                    dropped[i] = false;
                }
                if (recompute > 0) compute(s.instance(), recompute);
                double end = Math.max(now, h2dFree[s.instance()]) + cost.swapSeconds(copied) + recompute;
                h2dFree[s.instance()] = end;
                schedule.accept(end, new Event.SwapDone(s.instance(), s.swapId()));
            }
            case Decision.SwapOut s -> {
                long[] shares = shares(s.requests(), s.bytes());
                long copied = 0;
                for (int k = 0; k < shares.length; k++) {
                    int i = (int) (long) s.requests().get(k);
                    if (handoffSource[s.instance()]) {
                        copied += shares[k];
                    } else if ((double) (swappedBytes + shares[k]) * HOST_BYTES_PER_DEVICE_BYTE > hostBudget) {
                        dropped[i] = true;
                        recomputes++;
                    } else {
                        outBytes[i] = shares[k];
                        swappedBytes += shares[k];
                        copied += shares[k];
                    }
                }
                peakSwappedBytes = Math.max(peakSwappedBytes, swappedBytes);
                double end = Math.max(now, d2hFree[s.instance()]) + cost.swapSeconds(copied);
                d2hFree[s.instance()] = end;
                schedule.accept(end, new Event.SwapDone(s.instance(), s.swapId()));
            }
            case Decision.EvictModel e -> {
                double free = cost.evictSeconds(e.model());
                if (free <= 0) return;
                double start = Math.max(now, h2dFree[e.instance()]);
                if (evictions == Evictions.COPY_ENGINE) h2dFree[e.instance()] = start + free;
                else blockedUntil = start + free;
            }
        }
    }

    /** A swap's bytes split over its requests in proportion to their tokens so far (the remainder to the last). */
    private long[] shares(List<Long> ids, long bytes) {
        long[] out = new long[ids.size()];
        long tokens = 0;
        for (long id : ids) tokens += prompt[(int) id] + emitted[(int) id];
        long given = 0;
        for (int k = 0; k < out.length; k++) {
            int i = (int) (long) ids.get(k);
            out[k] = k == out.length - 1 ? bytes - given : tokens == 0 ? bytes / out.length : (long) ((double) bytes * (prompt[i] + emitted[i]) / tokens);
            given += out[k];
        }
        return out;
    }

    private void compute(int instance, double seconds) {
        busyGpuSeconds += seconds * gpusPerInstance[instance];
        computeDecisions++;
    }

    /** GPU-seconds spent computing (an instance of k GPUs counts k). */
    public double busyGpuSeconds() {
        return busyGpuSeconds;
    }

    /** Swap-outs that dropped a request's KV for recompute (the host budget was spent). */
    public long recomputes() {
        return recomputes;
    }

    /** The most device bytes of KV that were in host memory at once (hand-offs from prefill instances not counted). */
    public long peakSwappedBytes() {
        return peakSwappedBytes;
    }

    public long computeDecisions() {
        return computeDecisions;
    }
}
