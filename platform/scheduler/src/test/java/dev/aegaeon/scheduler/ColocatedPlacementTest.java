package dev.aegaeon.scheduler;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Where a colocated pool prefills (and so decodes) a request of a model that already has a batch. */
class ColocatedPlacementTest {
    private static final long GB = 1_000_000_000L;
    private static final SloTargets SLO = SloTargets.PAPER_DEFAULT;


    /**
     * Instance 0 decodes a and b, instance 1 (serving a and c only) decodes c. Measured by the
     * rounds before the request, instance 1 is less loaded even with a's switch; but there the
     * request would open a second batch of a, while on instance 0 it joins a's batch for nothing.
     */
    @Test
    void aRequestJoinsItsModelsBatchRatherThanOpeningOneOnALighterInstance() {
        List<ModelSpec> models = List.of("a", "b", "c").stream().map(m -> new ModelSpec(m, 5 * GB, 1_000)).toList();
        FixedCost cost = new FixedCost(0.02, 0.02, 0.5, 1e-12);
        MiniSim sim = new MiniSim(cost);
        sim.scheduler = new AegaeonScheduler(sim.clock, cost, models, List.of(
                new InstanceSpec(0, InstanceSpec.Role.COLOCATED, 1, 72 * GB),
                new InstanceSpec(1, InstanceSpec.Role.COLOCATED, 1, 72 * GB, Set.of(), Set.of("a", "c"))),
                SchedulerConfig.defaults(), SchedulerListener.NONE);
        sim.arrive(new RequestSpec(0, "a", 100, 5_000, 0.0, SLO), 5_000);
        sim.arrive(new RequestSpec(1, "b", 100, 5_000, 1.0, SLO), 5_000);
        sim.arrive(new RequestSpec(2, "c", 100, 5_000, 2.0, SLO), 5_000);
        sim.arrive(new RequestSpec(3, "a", 100, 5_000, 5.0, SLO), 5_000);
        sim.run(15);
        assertEquals(Set.of(0), sim.decodersOf(0));
        assertEquals(Set.of(1), sim.decodersOf(2), "c went to the lighter instance");
        assertEquals(Set.of(0), sim.decodersOf(3), "the second request of a joins a's batch");
    }
}
