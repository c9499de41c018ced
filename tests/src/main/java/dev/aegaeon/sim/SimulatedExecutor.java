package dev.aegaeon.sim;

import dev.aegaeon.scheduler.CostModel;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.Executor;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Executes decisions on a virtual clock with a cost model: compute takes the modelled step time;
 * loads and swap-ins share one host-to-device copy engine per instance, swap-outs a
 * device-to-host engine, each serial. Completions are handed to {@code schedule(time, event)}.
 * Knows each request's true output length, so it reports end of sequence as a worker would.
 */
public final class SimulatedExecutor implements Executor {
    private final CostModel cost;
    private final VirtualClock clock;
    private final BiConsumer<Double, Event> schedule;
    private final int[] prompt, outputTokens, emitted;
    private final int[] gpusPerInstance;
    private final double[] h2dFree, d2hFree;
    private double busyGpuSeconds;
    private long computeDecisions;
    /** Device bytes of KV in host memory now (swapped out and not yet back), and the most at once. */
    private long swappedBytes, peakSwappedBytes;

    public SimulatedExecutor(CostModel cost, VirtualClock clock, Trace trace, int[] gpusPerInstance, BiConsumer<Double, Event> schedule) {
        this.cost = cost;
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
    }

    @Override
    public void submit(Decision d) {
        double now = clock.now();
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
                swappedBytes = Math.max(0, swappedBytes - s.bytes());
                double end = Math.max(now, h2dFree[s.instance()]) + cost.swapSeconds(s.bytes());
                h2dFree[s.instance()] = end;
                schedule.accept(end, new Event.SwapDone(s.instance(), s.swapId()));
            }
            case Decision.SwapOut s -> {
                swappedBytes += s.bytes();
                peakSwappedBytes = Math.max(peakSwappedBytes, swappedBytes);
                double end = Math.max(now, d2hFree[s.instance()]) + cost.swapSeconds(s.bytes());
                d2hFree[s.instance()] = end;
                schedule.accept(end, new Event.SwapDone(s.instance(), s.swapId()));
            }
            case Decision.EvictModel e -> { }
        }
    }

    private void compute(int instance, double seconds) {
        busyGpuSeconds += seconds * gpusPerInstance[instance];
        computeDecisions++;
    }

    /** GPU-seconds spent computing (an instance of k GPUs counts k). */
    public double busyGpuSeconds() {
        return busyGpuSeconds;
    }

    /** The most device bytes of KV that were in host memory at once. */
    public long peakSwappedBytes() {
        return peakSwappedBytes;
    }

    public long computeDecisions() {
        return computeDecisions;
    }
}
