package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A model's requests stay on its home colocated instance unless another would start them a decode quota sooner. */
class ModelHomeTest {
    private static final long GB = 1_000_000_000L;
    private static final SloTargets SLO = SloTargets.PAPER_DEFAULT;

    /** Instance 0 serves every model, instance 1 only a; both colocated, 72 GB. */
    private static MiniSim twoInstances(FixedCost cost, String... models) {
        MiniSim sim = new MiniSim(cost);
        sim.scheduler = new AegaeonScheduler(sim.clock, cost, java.util.Arrays.stream(models).map(m -> new ModelSpec(m, 5 * GB, 1_000)).toList(),
                List.of(new InstanceSpec(0, InstanceSpec.Role.COLOCATED, 1, 72 * GB),
                        new InstanceSpec(1, InstanceSpec.Role.COLOCATED, 1, 72 * GB, Set.of(), Set.of("a"))),
                SchedulerConfig.defaults(), SchedulerListener.NONE);
        return sim;
    }

    /**
     * a's first request runs on instance 0 and finishes; b (which only instance 0 serves) keeps
     * instance 0 decoding. When a's next request comes, instance 1 is idle and lighter by less than
     * a quota: the request goes home to instance 0, where a's weights still are, instead of
     * loading a on instance 1 as well. Spread that way, every model ends up switching on every GPU.
     */
    @Test
    void aModelsNextRequestGoesHomeUnlessElsewhereIsAQuotaSooner() {
        MiniSim sim = twoInstances(new FixedCost(0.02, 0.02, 0.5, 1e-12), "a", "b");
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
        MiniSim sim = twoInstances(new FixedCost(3.0, 0.02, 0.5, 1e-12), "a", "b", "c", "d");
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
