package dev.aegaeon.sim;

import dev.aegaeon.scheduler.AegaeonScheduler;
import dev.aegaeon.scheduler.Clock;
import dev.aegaeon.scheduler.CostModel;
import dev.aegaeon.scheduler.InstanceSpec;
import dev.aegaeon.scheduler.InstanceSpec.Role;
import dev.aegaeon.scheduler.RequestLevelScheduler;
import dev.aegaeon.scheduler.Scheduler;
import dev.aegaeon.scheduler.SchedulerConfig;
import dev.aegaeon.scheduler.SchedulerListener;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The serving policies compared in the experiments, all on the same cost model and traces. */
public final class Policies {
    private Policies() {}

    private record Simple(String name, List<InstanceSpec> instances, Builder builder) implements SchedulerFactory {
        @Override
        public Scheduler create(Clock clock, CostModel cost, Trace trace, SchedulerListener listener) {
            return builder.build(clock, cost, trace, instances, listener);
        }
    }

    @FunctionalInterface
    private interface Builder {
        Scheduler build(Clock clock, CostModel cost, Trace trace, List<InstanceSpec> instances, SchedulerListener listener);
    }

    /** Placement of an instance that serves nothing (a static layout with more GPUs than models that fit). */
    static final String NO_MODEL = "(none)";

    /** The same policy under another name (to tell configurations apart in a CSV). */
    public static SchedulerFactory named(String name, SchedulerFactory f) {
        if (f instanceof Simple s) return new Simple(name, s.instances(), s.builder());
        return new SchedulerFactory() {
            public String name() { return name; }
            public List<InstanceSpec> instances() { return f.instances(); }
            public Scheduler create(Clock clock, CostModel cost, Trace trace, SchedulerListener listener) {
                return f.create(clock, cost, trace, listener);
            }
        };
    }

    /** The same policy with every instance's memory set to {@code bytesPerGpu} x its GPUs (memory-pressure tests). */
    public static SchedulerFactory withMemory(SchedulerFactory f, long bytesPerGpu) {
        if (!(f instanceof Simple simple)) throw new IllegalArgumentException("withMemory needs a policy built by Policies");
        List<InstanceSpec> resized = simple.instances().stream().map(i -> new InstanceSpec(i.id(), i.role(), i.gpus(), bytesPerGpu * i.gpus(),
                i.pinnedModels(), i.servesOnly())).toList();
        return new Simple(simple.name(), resized, simple.builder());
    }

    /** Our policy, disaggregated: {@code prefill} prefill and {@code decode} decode instances of {@code gpusPerInstance} GPUs. */
    public static SchedulerFactory aegaeon(int prefill, int decode, int gpusPerInstance, GpuKind gpu, SchedulerConfig config) {
        List<InstanceSpec> inst = new ArrayList<>();
        for (int i = 0; i < prefill + decode; i++) {
            inst.add(new InstanceSpec(i, i < prefill ? Role.PREFILL : Role.DECODE, gpusPerInstance, gpu.memoryBytes * gpusPerInstance));
        }
        return new Simple("aegaeon", inst, (clock, cost, trace, is, l) -> new AegaeonScheduler(clock, cost, trace.modelSpecs(), is, config, l));
    }

    /**
     * Our policy, hybrid: {@code prefill} prefill instances and {@code rest} colocated ones, which
     * decode what the prefill instances hand off and also prefill (and then decode) requests of the
     * models they hold, so a request whose model is resident on a decoder needs no load. The
     * planner places a group by queued work plus switch time, so resident models go there.
     */
    public static SchedulerFactory aegaeonHybrid(int prefill, int rest, int gpusPerInstance, GpuKind gpu, SchedulerConfig config) {
        List<InstanceSpec> inst = new ArrayList<>();
        for (int i = 0; i < prefill + rest; i++) {
            inst.add(new InstanceSpec(i, i < prefill ? Role.PREFILL : Role.COLOCATED, gpusPerInstance, gpu.memoryBytes * gpusPerInstance));
        }
        return new Simple("aegaeon", inst, (clock, cost, trace, is, l) -> new AegaeonScheduler(clock, cost, trace.modelSpecs(), is, config, l));
    }

    /** Share of a disaggregated pool that prefills (3 of 16 did best on e1 at 80 models among 1-4 of 16). */
    public static final double PREFILL_SHARE = 3.0 / 16;

    /** Our policy on {@code gpus} GPUs: {@link #PREFILL_SHARE} (at least one) prefill, the rest decode; one GPU = colocated. */
    public static SchedulerFactory aegaeon(int gpus, GpuKind gpu, SchedulerConfig config) {
        if (gpus == 1) return colocated(1, 1, gpu, config);
        int prefill = prefillInstances(gpus);
        return aegaeon(prefill, gpus - prefill, 1, gpu, config);
    }

    public static int prefillInstances(int instances) {
        return (int) Math.max(1, Math.round(instances * PREFILL_SHARE));
    }

    /** Our policy with every instance running both phases. */
    public static SchedulerFactory colocated(int instances, int gpusPerInstance, GpuKind gpu, SchedulerConfig config) {
        List<InstanceSpec> inst = new ArrayList<>();
        for (int i = 0; i < instances; i++) inst.add(new InstanceSpec(i, Role.COLOCATED, gpusPerInstance, gpu.memoryBytes * gpusPerInstance));
        return new Simple("aegaeon-colocated", inst, (clock, cost, trace, is, l) -> new AegaeonScheduler(clock, cost, trace.modelSpecs(), is, config, l));
    }

    /** Request-level auto-scaling (ServerlessLLM manner) on {@code gpus} single-GPU instances. */
    public static SchedulerFactory requestLevel(int instances, int gpusPerInstance, GpuKind gpu) {
        List<InstanceSpec> inst = new ArrayList<>();
        for (int i = 0; i < instances; i++) inst.add(new InstanceSpec(i, Role.COLOCATED, gpusPerInstance, gpu.memoryBytes * gpusPerInstance));
        return new Simple("request-level", inst, (clock, cost, trace, is, l) -> new RequestLevelScheduler(clock, trace.modelSpecs(), is, 256, l));
    }

    /**
     * Dedicated serving (today's market): each model gets {@code instancesPerModel} instances of its
     * own, pinned, running vLLM-style continuous batching; models beyond the GPUs get none and their
     * requests are rejected. {@code modelsInOrder} decides who gets GPUs first.
     */
    public static SchedulerFactory dedicated(List<String> modelsInOrder, Map<String, Integer> instancesPerModel, int gpusPerInstance,
                                             int gpuBudget, GpuKind gpu) {
        List<InstanceSpec> inst = new ArrayList<>();
        int used = 0;
        for (String m : modelsInOrder) {
            for (int k = 0; k < instancesPerModel.getOrDefault(m, 1); k++) {
                if (used + gpusPerInstance > gpuBudget) break;
                inst.add(new InstanceSpec(inst.size(), Role.COLOCATED, gpusPerInstance, gpu.memoryBytes * gpusPerInstance, Set.of(m), Set.of(m)));
                used += gpusPerInstance;
            }
        }
        return new Simple("dedicated", inst, (clock, cost, trace, is, l) -> new AegaeonScheduler(clock, cost, trace.modelSpecs(), is,
                SchedulerConfig.defaults(), l));
    }

    /**
     * Static multiplexing (MuxServe manner): models sorted by popularity are placed greedily on the
     * instance with the least placed request rate whose memory still holds the weights with half of
     * it left for KV; all placed models stay resident and share the GPU in turn, never switching.
     * Models that fit nowhere are not served.
     */
    public static SchedulerFactory staticMux(Map<String, Double> rates, Map<String, Long> weightBytes, int instances, int gpusPerInstance, GpuKind gpu) {
        long mem = gpu.memoryBytes * gpusPerInstance;
        long[] used = new long[instances];
        double[] load = new double[instances];
        List<java.util.Set<String>> placed = new ArrayList<>();
        for (int i = 0; i < instances; i++) placed.add(new java.util.HashSet<>());
        // Equal rates are ordered by a stable hash of the name, not the name: names sort by
        // architecture, and one architecture would then take every GPU.
        List<String> byPopularity = rates.keySet().stream().sorted(Comparator.comparing((String m) -> -rates.get(m))
                .thenComparingLong(Policies::tieOrder).thenComparing(m -> m)).toList();
        for (String m : byPopularity) {
            int best = -1;
            for (int i = 0; i < instances; i++) {
                if (used[i] + weightBytes.get(m) <= mem / 2 && (best < 0 || load[i] < load[best])) best = i;
            }
            if (best < 0) continue;
            used[best] += weightBytes.get(m);
            load[best] += rates.get(m);
            placed.get(best).add(m);
        }
        List<InstanceSpec> inst = new ArrayList<>();
        for (int i = 0; i < instances; i++) inst.add(new InstanceSpec(i, Role.COLOCATED, gpusPerInstance, mem, placed.get(i), placed.get(i).isEmpty() ? Set.of(NO_MODEL) : placed.get(i)));
        return new Simple("static-mux", inst, (clock, cost, trace, is, l) -> new AegaeonScheduler(clock, cost, trace.modelSpecs(), is,
                SchedulerConfig.defaults(), l));
    }

    /** A stable, name-independent order among equally popular models (SplitMix64's finaliser over the name's hash). */
    static long tieOrder(String model) {
        long z = model.hashCode() * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
