package dev.aegaeon.scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/** A tiny event loop with constant-time execution, for scheduler scenario tests. */
final class MiniSim {
    final ManualClock clock = new ManualClock();
    final List<Decision> log = new ArrayList<>();
    final Map<Long, Integer> outputs = new HashMap<>();
    final Map<Long, Integer> emitted = new HashMap<>();
    private final PriorityQueue<Object[]> queue = new PriorityQueue<>((x, y) -> {
        int c = Double.compare((double) x[0], (double) y[0]);
        return c != 0 ? c : Long.compare((long) x[1], (long) y[1]);
    });
    private final FixedCost cost;
    private long seq;
    Scheduler scheduler;
    /** Runs after every event (invariant checks). */
    Runnable afterEach = () -> { };

    MiniSim(FixedCost cost) {
        this.cost = cost;
    }

    void at(double t, Event e) {
        queue.add(new Object[] {t, seq++, e});
    }

    void arrive(RequestSpec r, int output) {
        outputs.put(r.id(), output);
        at(r.arrivalSeconds(), new Event.Arrival(r));
    }

    /** Instances that ran a decode step of request {@code id}. */
    java.util.Set<Integer> decodersOf(long id) {
        java.util.Set<Integer> on = new java.util.HashSet<>();
        for (Decision d : log) {
            if (d instanceof Decision.RunDecodeStep s && s.requests().contains(id)) on.add(s.instance());
        }
        return on;
    }

    /** Completions the scheduler is waiting for (decisions issued and not yet done); arrivals and cancellations excluded. */
    int outstanding() {
        int n = 0;
        for (Object[] e : queue) if (!(e[2] instanceof Event.Arrival) && !(e[2] instanceof Event.Cancel)) n++;
        return n;
    }

    void run(double until) {
        submit(scheduler.start());
        while (!queue.isEmpty() && (double) queue.peek()[0] <= until) {
            Object[] next = queue.poll();
            clock.now = (double) next[0];
            submit(scheduler.handle((Event) next[2]));
            afterEach.run();
        }
    }

    private void submit(List<Decision> ds) {
        double now = clock.now;
        for (Decision d : ds) {
            log.add(d);
            switch (d) {
                case Decision.RunPrefill p -> at(now + cost.prefill(), new Event.PrefillDone(p.instance(), p.groupId(), step(p.requests(), true)));
                case Decision.RunDecodeStep s -> at(now + cost.step(), new Event.DecodeStepDone(s.instance(), s.stepId(), step(s.requests(), false)));
                case Decision.LoadModel l -> at(now + cost.load(), new Event.LoadDone(l.instance(), l.model()));
                case Decision.SwapIn s -> at(now + cost.swapSeconds(s.bytes()), new Event.SwapDone(s.instance(), s.swapId()));
                case Decision.SwapOut s -> at(now + cost.swapSeconds(s.bytes()), new Event.SwapDone(s.instance(), s.swapId()));
                case Decision.EvictModel e -> { }
            }
        }
    }

    private Set<Long> step(List<Long> ids, boolean first) {
        Set<Long> done = new HashSet<>();
        for (long id : ids) {
            int n = first ? 1 : emitted.get(id) + 1;
            emitted.put(id, n);
            if (n >= outputs.get(id)) done.add(id);
        }
        return done;
    }
}
