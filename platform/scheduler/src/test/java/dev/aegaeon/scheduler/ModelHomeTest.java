package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A model's requests stay on its home colocated instance unless another would start them a decode quota sooner. */
class ModelHomeTest {
    private static final long GB = 1_000_000_000L;
    private static final SloTargets SLO = SloTargets.PAPER_DEFAULT;

    /**
     * a's first request runs on instance 0 and finishes; b (which only instance 0 serves) keeps
     * instance 0 decoding. When a's next request comes, instance 1 is idle and lighter by less than
     * a quota: the request goes home to instance 0, where a's weights still are, instead of
     * loading a on instance 1 as well. Spread that way, every model ends up switching on every GPU.
     */
    @Test
    void aModelsNextRequestGoesHomeUnlessElsewhereIsAQuotaSooner() {
        List<ModelSpec> models = List.of("a", "b").stream().map(m -> new ModelSpec(m, 5 * GB, 1_000)).toList();
        FixedCost cost = new FixedCost(0.02, 0.02, 0.5, 1e-12);
        MiniSim sim = new MiniSim(cost);
        sim.scheduler = new AegaeonScheduler(sim.clock, cost, models, List.of(
                new InstanceSpec(0, InstanceSpec.Role.COLOCATED, 1, 72 * GB),
                new InstanceSpec(1, InstanceSpec.Role.COLOCATED, 1, 72 * GB, Set.of(), Set.of("a"))),
                SchedulerConfig.defaults(), SchedulerListener.NONE);
        sim.arrive(new RequestSpec(0, "a", 100, 5, 0.0, SLO), 5);
        sim.arrive(new RequestSpec(1, "b", 100, 5_000, 0.5, SLO), 5_000);
        sim.arrive(new RequestSpec(2, "a", 100, 50, 5.0, SLO), 50);
        sim.run(20);
        assertEquals(Set.of(0), sim.decodersOf(0));
        assertEquals(Set.of(0), sim.decodersOf(1));
        assertEquals(Set.of(0), sim.decodersOf(2), "a's second request goes home");
    }

    /** The same start, but a's home has three slow prefills queued when a's request comes: it moves. */
    @Test
    void aRequestLeavesHomeWhenAnotherInstanceStartsItMoreThanAQuotaSooner() {
        List<ModelSpec> models = List.of("a", "b", "c", "d").stream().map(m -> new ModelSpec(m, 5 * GB, 1_000)).toList();
        FixedCost cost = new FixedCost(3.0, 0.02, 0.5, 1e-12);
        MiniSim sim = new MiniSim(cost);
        sim.scheduler = new AegaeonScheduler(sim.clock, cost, models, List.of(
                new InstanceSpec(0, InstanceSpec.Role.COLOCATED, 1, 72 * GB),
                new InstanceSpec(1, InstanceSpec.Role.COLOCATED, 1, 72 * GB, Set.of(), Set.of("a"))),
                SchedulerConfig.defaults(), SchedulerListener.NONE);
        sim.arrive(new RequestSpec(0, "a", 100, 5, 0.0, SLO), 5);
        sim.arrive(new RequestSpec(1, "b", 100, 50, 5.0, SLO), 50);
        sim.arrive(new RequestSpec(2, "c", 100, 50, 5.0, SLO), 50);
        sim.arrive(new RequestSpec(3, "d", 100, 50, 5.0, SLO), 50);
        sim.arrive(new RequestSpec(4, "a", 100, 50, 5.1, SLO), 50);
        sim.run(40);
        assertEquals(Set.of(0), sim.decodersOf(0));
        assertEquals(Set.of(1), sim.decodersOf(4), "9 s of prefills queued at home: instance 1 starts it sooner, load and quota counted");
    }
}
