package dev.aegaeon.sim;

import dev.aegaeon.scheduler.CostModel;
import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.InstanceSpec;
import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.Scheduler;
import dev.aegaeon.scheduler.SchedulerListener;
import dev.aegaeon.scheduler.SloLedger;
import dev.aegaeon.scheduler.SloReport;

import java.util.List;
import java.util.PriorityQueue;

/**
 * Discrete-event simulation: the trace's arrivals and the executor's completions, in time order,
 * drive the scheduler; its decisions go to the {@link SimulatedExecutor}. Runs until every event
 * is processed or the virtual clock passes {@code duration + drainSeconds}; tokens not delivered
 * by then count as missed.
 */
public final class Simulation {

    /**
     * @param ended  requests that reached a terminal state (finished, rejected or cancelled)
     * @param cutOff the run stopped at {@code duration + drain} with events still to process; when
     *               false every event was processed, so a request that has not ended was stranded
     * @param peakSwappedKvBytes the most device bytes of KV that were out in host memory at once (between a
     *               swap-out and its swap-in; hand-offs go device to device), all instances together
     * @param kvRecomputes swap-outs that dropped a request's KV because the host budget was spent
     *               ({@link Trace#kvSwapBytesPerGpu()}); each one's swap-in was a prefill
     */
    public record Result(String policy, int gpus, SloReport slo, double busyGpuSeconds, double endSeconds, long events, int ended, boolean cutOff,
                         long peakSwappedKvBytes, long kvRecomputes) {
        /** Requests left unended although nothing remained to wake the scheduler (a liveness failure). */
        public int stranded() {
            return cutOff ? 0 : slo.requests() - ended;
        }

        /** Busy share of the GPUs from time 0 to the last event (the drain included). */
        public double utilisation() {
            return endSeconds <= 0 ? 0 : busyGpuSeconds / (gpus * endSeconds);
        }
    }

    private record Timed(double time, long seq, Event event) implements Comparable<Timed> {
        @Override
        public int compareTo(Timed o) {
            int c = Double.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private Simulation() {}

    /** The report time: the stop time when work was cut off, else the last event's time. */
    private static double stopAt(Trace trace, double drainSeconds, double now, boolean cutOff) {
        return cutOff ? trace.durationSeconds() + drainSeconds : now;
    }

    public static Result run(Trace trace, CostModel cost, SchedulerFactory policy, double drainSeconds) {
        return run(trace, cost, policy, drainSeconds, SchedulerListener.NONE);
    }

    /** Runs the policy on the trace; {@code observer} sees every scheduler notification too. */
    public static Result run(Trace trace, CostModel cost, SchedulerFactory policy, double drainSeconds, SchedulerListener observer) {
        return run(trace, cost, policy, drainSeconds, observer, s -> { }, (e, d) -> { });
    }

    /**
     * As above; {@code afterEvent} inspects the scheduler after every event and {@code tap} sees every
     * event with the decisions it produced (the start decisions with a null event). For invariant
     * checks in tests.
     */
    public static Result run(Trace trace, CostModel cost, SchedulerFactory policy, double drainSeconds, SchedulerListener observer,
                             java.util.function.Consumer<Scheduler> afterEvent, java.util.function.BiConsumer<Event, List<Decision>> tap) {
        return run(trace, cost, policy, drainSeconds, observer, afterEvent, tap, SimulatedExecutor.Evictions.COPY_ENGINE);
    }

    /** As above, with the evictions' frees spent as {@code evictions} says. */
    public static Result run(Trace trace, CostModel cost, SchedulerFactory policy, double drainSeconds, SchedulerListener observer,
                             java.util.function.Consumer<Scheduler> afterEvent, java.util.function.BiConsumer<Event, List<Decision>> tap,
                             SimulatedExecutor.Evictions evictions) {
        VirtualClock clock = new VirtualClock();
        SloLedger ledger = new SloLedger();
        int[] ended = {0};
        for (RequestSpec r : trace.requests()) ledger.expect(r, trace.outputTokens()[(int) r.id()]);
        SchedulerListener both = new SchedulerListener() {
            @Override
            public void onToken(long id, int index, double time) {
                ledger.onToken(id, index, time);
                observer.onToken(id, index, time);
            }

            @Override
            public void onFinish(long id, dev.aegaeon.scheduler.RequestState state, double time) {
                ended[0]++;
                ledger.onFinish(id, state, time);
                observer.onFinish(id, state, time);
            }

            @Override
            public void onLoad(int instance, String model, long bytes, boolean prefetch, double time) {
                ledger.onLoad(instance, model, bytes, prefetch, time);
                observer.onLoad(instance, model, bytes, prefetch, time);
            }
        };
        List<InstanceSpec> instances = policy.instances();
        int[] gpus = instances.stream().mapToInt(InstanceSpec::gpus).toArray();
        PriorityQueue<Timed> queue = new PriorityQueue<>();
        long[] seq = {0};
        boolean[] handoffSource = new boolean[instances.size()];
        for (int i = 0; i < handoffSource.length; i++) handoffSource[i] = instances.get(i).role() == InstanceSpec.Role.PREFILL;
        SimulatedExecutor executor = new SimulatedExecutor(cost, clock, trace, gpus, handoffSource, (t, e) -> queue.add(new Timed(t, seq[0]++, e)),
                evictions);
        Scheduler scheduler = policy.create(clock, cost, trace, both);
        List<Decision> initial = scheduler.start();
        tap.accept(null, initial);
        for (Decision d : initial) executor.submit(d);
        List<RequestSpec> arrivals = trace.requests();
        int next = 0;
        long events = 0;
        double stop = trace.durationSeconds() + drainSeconds;
        boolean cutOff = false;
        while (true) {
            Event e;
            double t;
            if (next < arrivals.size() && (queue.isEmpty() || arrivals.get(next).arrivalSeconds() <= queue.peek().time)) {
                RequestSpec r = arrivals.get(next++);
                t = r.arrivalSeconds();
                e = new Event.Arrival(r);
            } else if (!queue.isEmpty()) {
                Timed te = queue.poll();
                t = te.time;
                e = te.event;
            } else {
                break;
            }
            if (t > stop) {
                cutOff = true;
                break;
            }
            clock.advanceTo(t);
            events++;
            List<Decision> decisions = scheduler.handle(e);
            tap.accept(e, decisions);
            for (Decision d : decisions) executor.submit(d);
            afterEvent.accept(scheduler);
        }
        return new Result(policy.name(), policy.gpus(), ledger.report(Math.max(clock.now(), stopAt(trace, drainSeconds, clock.now(), cutOff))),
                executor.busyGpuSeconds(), clock.now(), events, ended[0], cutOff, executor.peakSwappedBytes(),
                executor.recomputes());
    }
}
