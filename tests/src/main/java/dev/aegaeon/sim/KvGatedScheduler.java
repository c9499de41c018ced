package dev.aegaeon.sim;

import dev.aegaeon.scheduler.Decision;
import dev.aegaeon.scheduler.Event;
import dev.aegaeon.scheduler.RequestSpec;
import dev.aegaeon.scheduler.RequestState;
import dev.aegaeon.scheduler.Scheduler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The platform's per-model KV admission gate (platform/worker KvAdmission) in front of a simulated
 * scheduler: each model's engine has a fixed block pool, a request reserves the blocks of prompt +
 * max tokens when handed to the scheduler and returns them when it ends; until then it waits,
 * first come first served per model (its TTFT clock runs meanwhile).
 */
public final class KvGatedScheduler implements Scheduler {
    private final Scheduler inner;
    private final int blockSize, capacityBlocks;
    private final Map<String, ArrayDeque<RequestSpec>> waiting = new HashMap<>();
    private final Map<String, Integer> reserved = new HashMap<>();
    private final Map<Long, RequestSpec> admitted = new LinkedHashMap<>();
    private long heldBack;

    /** {@code kvTokensPerModel}: positions per engine; the pool has ceil(that / block) + 1 blocks, as ModelPool sizes it. */
    public KvGatedScheduler(Scheduler inner, int kvTokensPerModel, int blockSize) {
        if (blockSize < 1 || kvTokensPerModel < blockSize) throw new IllegalArgumentException("KV gate needs blockSize >= 1 and at least one block per model");
        this.inner = inner;
        this.blockSize = blockSize;
        this.capacityBlocks = (kvTokensPerModel + blockSize - 1) / blockSize + 1;
    }

    /** {@code policy} with this gate in front of every scheduler it builds; {@code created} sees each gate. */
    public static SchedulerFactory gated(SchedulerFactory policy, int kvTokensPerModel, int blockSize, java.util.function.Consumer<KvGatedScheduler> created) {
        return new SchedulerFactory() {
            public String name() { return policy.name(); }
            public List<dev.aegaeon.scheduler.InstanceSpec> instances() { return policy.instances(); }
            public Scheduler create(dev.aegaeon.scheduler.Clock clock, dev.aegaeon.scheduler.CostModel cost, Trace trace,
                                    dev.aegaeon.scheduler.SchedulerListener listener) {
                KvGatedScheduler g = new KvGatedScheduler(policy.create(clock, cost, trace, listener), kvTokensPerModel, blockSize);
                created.accept(g);
                return g;
            }
        };
    }

    @Override
    public List<Decision> start() {
        return inner.start();
    }

    @Override
    public List<Decision> handle(Event event) {
        List<Decision> out = new ArrayList<>();
        if (event instanceof Event.Arrival a) {
            if (blocks(a.request()) > capacityBlocks) {
                throw new IllegalArgumentException("request " + a.request().id() + " needs " + blocks(a.request()) + " KV blocks; the pool has "
                        + capacityBlocks + " (the platform refuses it at submit)");
            }
            ArrayDeque<RequestSpec> q = waiting.computeIfAbsent(a.request().model(), k -> new ArrayDeque<>());
            q.add(a.request());
            if (q.size() > 1 || !fits(a.request())) heldBack++;
            admit(a.request().model(), out);
            return out;
        }
        out.addAll(inner.handle(event));
        List<String> freed = new ArrayList<>();
        for (Iterator<Map.Entry<Long, RequestSpec>> it = admitted.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            RequestState s = inner.state(e.getKey());
            if (s == null || s.terminal()) {
                it.remove();
                reserved.merge(e.getValue().model(), -blocks(e.getValue()), Integer::sum);
                freed.add(e.getValue().model());
            }
        }
        for (String m : freed) admit(m, out);
        return out;
    }

    /** Requests that had to wait at the gate on arrival. */
    public long heldBack() {
        return heldBack;
    }

    private void admit(String model, List<Decision> out) {
        ArrayDeque<RequestSpec> q = waiting.get(model);
        while (q != null && !q.isEmpty() && fits(q.peek())) {
            RequestSpec r = q.poll();
            reserved.merge(model, blocks(r), Integer::sum);
            admitted.put(r.id(), r);
            out.addAll(inner.handle(new Event.Arrival(r)));
        }
    }

    private boolean fits(RequestSpec r) {
        return reserved.getOrDefault(r.model(), 0) + blocks(r) <= capacityBlocks;
    }

    private int blocks(RequestSpec r) {
        return (r.promptTokens() + r.maxOutputTokens() + blockSize - 1) / blockSize;
    }

    @Override
    public RequestState state(long requestId) {
        RequestState s = inner.state(requestId);
        return s != null ? s : (admitted.containsKey(requestId) ? null : RequestState.QUEUED);
    }
}
